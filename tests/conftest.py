"""Fixtures every test folder may use."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from tests.envelope import assert_envelope


def pytest_report_header(config: pytest.Config) -> str:
    return f"CI={os.environ.get('CI', '')!r} (integration tests fail instead of skipping when CI is set)"


@pytest.fixture
def envelope() -> Callable[[Any, int], dict[str, Any]]:
    """``envelope(response, status)`` asserts the one error envelope and returns its body."""
    return assert_envelope
