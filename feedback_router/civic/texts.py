"""A citizen's free text for the civic services (a suggestion, a denunciation) as it is stored:
cleaned like every entry point's text (nlu.text.clean_text: NFC, no bidi or zero-width
controls), on one line, and within the service's bounds, refused with the service's words."""

from __future__ import annotations

from nlu.text import clean_text, collapse_whitespace


def bounded_text(text: object, *, min_chars: int, max_chars: int, too_short: str, too_long: str,
                 error: type[ValueError]) -> str:
    value = collapse_whitespace(clean_text(str(text or "")))
    if len(value) < min_chars:
        raise error(too_short)
    if len(value) > max_chars:
        raise error(too_long)
    return value
