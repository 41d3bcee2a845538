"""统一社会信用代码 (unified social credit code, USCC) validation, GB 32100-2015. Pure Python.

18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (31 symbols: no I, O, S, V, Z). The 18th is the
check character ``(31 − Σ value(cᵢ)·3ⁱ mod 31) mod 31`` over positions i = 0…16 (weights 3ⁱ mod 31).
Characters 9–17 are the organisation code (组织机构代码, GB 11714), whose 9th character checks its first
eight with weights 3 7 9 10 5 8 4 2: ``11 − Σ mod 11``, where 10 is written X and 11 is written 0.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714: digits and capital letters
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or None when it is."""
    if len(code) != 18:
        return "统一社会信用代码应为18位 / must be 18 characters"
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return f"含有无效字符 {''.join(bad)} / characters not allowed: {''.join(bad)} (no I, O, S, V, Z)"
    if code[17] != check_character(code[:17]):
        return f"校验码错误，应为 {check_character(code[:17])} / wrong check character"
    organisation = code[8:17]
    if any(c not in _ORG_ALPHABET for c in organisation[:8]) or organisation[8] != _organisation_check(organisation):
        return "组织机构代码校验错误 / the organisation code inside fails its own check (GB 11714)"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015, 4.2)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _organisation_check(organisation: str) -> str:
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(organisation[:8], _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)
