"""The lifecycle tests' fixtures (an engine and the web app on each database, staff of two units)
serve the public pages too: one definition, not a copy."""

from tests.lifecycle.conftest import app, engine, staff, units  # noqa: F401
