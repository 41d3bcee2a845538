"""The one error envelope every service answers with, as the tests check it."""

from __future__ import annotations

from typing import Any

ENVELOPE_KEYS = {"code", "status", "message", "errors"}


def assert_envelope(response: Any, status: int) -> dict[str, Any]:
    """Assert ``response`` is the error envelope with ``status``, and return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == ENVELOPE_KEYS, body
    assert body["code"] == status
    return body  # type: ignore[no-any-return]
