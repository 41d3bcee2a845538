"""Fixtures every test folder may use."""

from __future__ import annotations

import os

import pytest


def pytest_report_header(config: pytest.Config) -> str:
    return f"CI={os.environ.get('CI', '')!r} (integration tests fail instead of skipping when CI is set)"
