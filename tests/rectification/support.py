"""The embedded suite with rectification, and HTTP calls into it as any role or as the public."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gateway.embedded import Suite, create_suite
from gateway.handlers import seed_demo
from gateway.registry import PARTS
from services.hotline.rules import DeadlinePolicy
from shared.roles import INSPECTOR, Principal
from shared.settings import Settings
from tests.passwords import fast_passwords

API = "/api/rectification/v1"
RECTIFICATION = PARTS["rectification"]


def embedded_suite(tmp_path: Path, **kwargs: Any) -> Iterator[Suite]:
    """The demo directory in a fresh embedded suite; tickets are never reopened (a justified 不满意 goes to
    rectification at once)."""
    yield from suite_with(tmp_path, hotline_policy=DeadlinePolicy(max_reopens=0), **kwargs)


def suite_with(tmp_path: Path, *, hotline_policy: DeadlinePolicy, **kwargs: Any) -> Iterator[Suite]:
    settings = Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING")
    suite = create_suite(settings, overrides={"gateway": {"passwords": fast_passwords()},
                                              "hotline": {"policy": hotline_policy}}, **kwargs)
    seed_demo(suite.contexts["gateway"])
    suite.runtime.run_until_idle()
    yield suite
    suite.close()


def headers(suite: Suite, *roles: str, departments: tuple[str, ...] = ()) -> dict[str, str]:
    principal = Principal(f"u-{uuid.uuid4().hex[:6]}", frozenset(roles), frozenset(departments))
    now = suite.databases["gateway"].clock.now()  # the suite's clock: a test may have moved it
    return {"Authorization": f"Bearer {suite.tokens.issue(principal, now=now)}"}


def call(suite: Suite, method: str, path: str, body: Any = None, *roles: str, departments=()) -> Any:
    client = suite.apps["gateway"].test_client()
    client.application.wsgi_app = suite.wsgi  # type: ignore[method-assign]
    return client.open(path, method=method, json=body, headers=headers(suite, *roles, departments=departments))


def public(suite: Suite, method: str, path: str, body: Any = None) -> Any:
    """A call without a token (the public)."""
    client = suite.apps["gateway"].test_client()
    client.application.wsgi_app = suite.wsgi  # type: ignore[method-assign]
    return client.open(path, method=method, json=body)


def notices(suite: Suite, **query: str) -> list[dict[str, Any]]:
    response = call(suite, "GET", API + "/notices?" + "&".join(f"{k}={v}" for k, v in query.items()), None,
                    INSPECTOR)
    return response.get_json()["items"]  # type: ignore[no-any-return]
