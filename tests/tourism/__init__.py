"""Tests for tourism knowledge, search and public-service Q&A."""
