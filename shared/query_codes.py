"""A ticket's query code (查询码) as other services may hold it: a slow, salted digest, never the code.

The public proves it is the caller with a ticket's number and query code (status lookup in the hotline, a
好差评 review in rectification). Rectification learns the digest from ``hotline.ticket.closed`` and checks a
code against it; a stolen replica or event then yields no codes without a search of the whole code space
at scrypt's cost per guess (about 6 ms), and the public endpoints are rate-limited besides.
"""

from __future__ import annotations

import hashlib
import hmac

# scrypt work factors (RFC 7914): N=2^12, r=8 → 4 MiB and a few milliseconds per digest.
_N, _R, _P = 2**12, 8, 1
VERSION = "scrypt1"


def normalise(code: str) -> str:
    """Codes are read out over the phone: case and surrounding spaces do not matter."""
    return code.strip().upper()


def code_digest(ticket_id: str, code: str) -> str:
    """``scrypt1$<hex>``, salted with the ticket's id (so equal codes of two tickets differ)."""
    raw = hashlib.scrypt(normalise(code).encode(), salt=f"duban-ticket:{ticket_id}".encode(), n=_N, r=_R, p=_P,
                         dklen=32)
    return f"{VERSION}${raw.hex()}"


def code_matches(ticket_id: str, code: str, digest: str) -> bool:
    if not digest.startswith(VERSION + "$") or not code:
        return False
    return hmac.compare_digest(code_digest(ticket_id, code), digest)
