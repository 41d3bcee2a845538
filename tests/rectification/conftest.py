"""Fixtures of the rectification tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gateway.embedded import Suite
from tests.rectification.support import embedded_suite


@pytest.fixture
def suite(tmp_path) -> Iterator[Suite]:
    yield from embedded_suite(tmp_path)
