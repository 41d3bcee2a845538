"""``duban replicas resync``: a service added after the directory was announced catches up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from gateway.embedded import create_suite
from gateway.handlers import seed_demo
from gateway.registry import PARTS
from gateway.replicas import resync
from shared.settings import Settings
from tests.passwords import fast_passwords


@pytest.fixture
def parts_restored() -> Iterator[None]:
    """PARTS as it was, in its order (the edge's config and the compose checks follow that order)."""
    saved = dict(PARTS)
    yield
    PARTS.clear()
    PARTS.update(saved)


def test_a_part_added_later_gets_the_departments_once_they_are_announced_again(tmp_path, parts_restored):
    spotcheck = PARTS.pop("spotcheck")  # the deployment before the spot-check service existed
    settings = Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING")
    first = create_suite(settings, overrides={"gateway": {"passwords": fast_passwords()}})
    seed_demo(first.contexts["gateway"])
    first.runtime.run_until_idle()
    first.close()
    PARTS["spotcheck"] = spotcheck  # a new service joins the running deployment
    suite = create_suite(settings, overrides={"gateway": {"passwords": fast_passwords()}})
    try:
        def replicated() -> int:
            with suite.databases["spotcheck"].read() as conn:
                return int(conn.execute(sa.text("SELECT count(*) FROM departments")).scalar_one())

        assert replicated() == 0
        counts = resync(db=suite.databases["gateway"], actor="test")
        suite.runtime.run_until_idle()

        assert counts["departments"] > 0 and replicated() == counts["departments"]
        with suite.databases["hotline"].read() as conn:  # services that had them change nothing
            assert conn.execute(sa.text("SELECT count(*) FROM departments")).scalar_one() == counts["departments"]
    finally:
        suite.close()
