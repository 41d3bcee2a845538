"""The embedded suite with the demo data, for the page tests (imported as ``tests.uisuite``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEMO_PASSWORD = "duban-demo"
MONDAY_9AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, a working day


def demo_suite(data_dir: Path, clock: Any) -> Any:
    """Every part, migrated, with the demo directory and tickets; events delivered by hand."""
    from gateway.embedded import create_suite
    from gateway.registry import PARTS
    from shared.settings import Settings
    from tests.passwords import fast_passwords

    settings = Settings(data_dir=data_dir, background_workers=False, demo_password=DEMO_PASSWORD)
    suite = create_suite(settings, clock=clock, overrides={"gateway": {"passwords": fast_passwords()}})
    for name, part in PARTS.items():
        part.seed_demo(suite.contexts[name])
        suite.runtime.run_until_idle()
    return suite


def csrf(page: str) -> str:
    """The CSRF token a page's form carries."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, "the page carries a CSRF token"
    return match.group(1)


def keyed_form(client: Any, path: str, **fields: str) -> dict[str, str]:
    """A form's fields as its page hands them out (CSRF token, Idempotency-Key), plus ``fields``."""
    page = client.get(path).get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page)
    assert key, "the form carries an idempotency key"
    return {"csrf_token": csrf(page), "idempotency_key": key.group(1), **fields}


def signed_in(suite: Any, username: str) -> Any:
    """A browser (werkzeug test client) signed in as a demo user."""
    from werkzeug.test import Client

    client = Client(suite.wsgi)
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"csrf_token": csrf(page), "username": username, "password": DEMO_PASSWORD})
    return client
