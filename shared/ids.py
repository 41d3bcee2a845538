"""Identifiers: random (version 4) UUID strings, cheaply.

Every event and every signal gets one; a sweep makes two thousand at a time. Formatting the random
bytes directly is several times cheaper than ``str(uuid.uuid4())``, and gives the same strings.
"""

from __future__ import annotations

import os


def new_id() -> str:
    """A random UUID (RFC 4122, version 4) as its canonical 36-character string."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


# The variant bits (10xx) in the first hex digit of the fourth group.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
