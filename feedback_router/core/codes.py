"""Human-readable ticket codes: HN-<ddmm>-<4 chars>, e.g. HN-2611-4F7K.

Read over the phone and typed on phones, so the alphabet drops look-alikes
(0/O, 1/I/L, 5/S, 8/B) and the date part tells staff the day at a glance.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from nlu import clock

ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
CODE_RE = re.compile(r"^HN-\d{4}-[" + ALPHABET + r"]{4}$")


def new_code(today: date | None = None) -> str:
    day = today or clock.hanoi_today()
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(4))
    return f"HN-{day:%d%m}-{suffix}"


def normalize_code(text: str) -> str:
    return text.strip().upper().replace(" ", "")


def is_valid_code(text: str) -> bool:
    return bool(CODE_RE.match(normalize_code(text)))
