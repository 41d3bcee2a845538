"""Real-format 统一社会信用代码 for tests: a registration prefix, an organisation code with its GB 11714 check
character, and the GB 32100 check character."""

from __future__ import annotations

from services.spotcheck.uscc import _organisation_check, check_character


def uscc(n: int, prefix: str = "91110101") -> str:
    """The n-th valid code under ``prefix`` (organisation codes whose own check is a digit)."""
    while True:
        organisation = f"{n:08d}"
        check = _organisation_check(organisation)
        if check != "X":
            first17 = prefix + organisation + check
            return first17 + check_character(first17)
        n += 10_000_000  # another organisation code with the same low digits
