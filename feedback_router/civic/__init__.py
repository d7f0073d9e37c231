"""Suggestions and denunciations (denouncers' identities sealed at rest)."""
