"""统一社会信用代码: real-format codes pass, a wrong check character or a bad organisation code does not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.spotcheck.uscc import ALPHABET, _organisation_check, check_character, is_valid_uscc, uscc_problem


def test_the_example_of_the_standard_is_valid():
    assert uscc_problem("91350100M000100Y43") is None


@pytest.mark.parametrize(("code", "why"), [
    ("91350100M000100Y44", "check character"),
    ("91350100M000100Y4", "18"),
    ("91350100M0001O0Y43", "not allowed"),
    ("91350100M000100Y4I", "not allowed"),
])
def test_bad_codes_are_refused_with_the_reason(code, why):
    assert why in (uscc_problem(code) or "")


def test_a_valid_check_character_over_a_broken_organisation_code_is_refused():
    first17 = "91350100M000100Y5"  # organisation code M000100Y5: its own check character is wrong
    code = first17 + check_character(first17)
    assert "organisation" in (uscc_problem(code) or "")


def valid_code(head: str, organisation: str) -> str:
    """A real-format code: 8 characters of registration authority, type and region, an organisation code
    with its GB 11714 check character, then the GB 32100 check character."""
    org = organisation + _organisation_check(organisation)
    first17 = head + org
    return first17 + check_character(first17)


codes = st.builds(valid_code, st.text(alphabet=ALPHABET, min_size=8, max_size=8),
                  st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)
                  .filter(lambda o: _organisation_check(o) in ALPHABET))


@given(codes, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_every_real_format_code_passes_and_any_single_changed_character_is_caught(code, position, other):
    assert is_valid_uscc(code)
    changed = code[:position] + other + code[position + 1:]
    assert is_valid_uscc(changed) == (changed == code)
