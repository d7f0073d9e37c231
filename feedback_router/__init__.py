"""Tickets: storage, routing to the responsible unit, and their lifecycle."""
