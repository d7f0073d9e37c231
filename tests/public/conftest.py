"""The lifecycle tests' fixtures (the web app on each database, staff of two units; the engine is
tests/conftest.py's) serve the public pages too: one definition, not a copy."""

from tests.lifecycle.conftest import app, staff, units  # noqa: F401
