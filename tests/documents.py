"""Helpers for the tests of the project's data files (data/*.yaml)."""

from __future__ import annotations


def strings(node: object) -> list[str]:
    """Every string value in a parsed document (keys left out): what must be NFC."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return []
