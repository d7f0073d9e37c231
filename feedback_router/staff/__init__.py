"""Dashboard accounts, passwords and sessions."""
