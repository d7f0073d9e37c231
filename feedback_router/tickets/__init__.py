"""Complaints: filing, routing to the responsible unit, deadlines, duplicates, lifecycle."""
