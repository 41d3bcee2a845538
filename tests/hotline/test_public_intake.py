"""网上诉求: the anonymous, rate-limited online intake of the public portal."""

from __future__ import annotations

import json
from typing import Any

INTAKE = "/api/hotline/v1/public/tickets"
FORM = {"type": "complaint", "title": "小区路灯长期不亮", "content": "幸福里小区东门路灯已坏两周，夜间出行不便",
        "caller": {"name": "钱七", "phone": "13612345678"}, "address": "东城区幸福里东门"}


def file(desk: Any, body: Any, remote_addr: str = "198.51.100.9", **headers: str) -> Any:
    return desk.client.post(INTAKE, json=body, headers=headers, environ_overrides={"REMOTE_ADDR": remote_addr})


def test_anyone_files_online_and_gets_only_the_number_and_query_code(desk: Any) -> None:
    response = file(desk, FORM)
    assert response.status_code == 201
    answer = response.get_json()
    assert set(answer) == {"number", "query_code", "status", "status_label"}
    assert answer["status"] == "received"
    staff_view = desk.get("/api/hotline/v1/tickets", "dispatcher", q=answer["number"]).get_json()["items"][0]
    assert staff_view["channel"] == "web" and staff_view["urgency"] == "general"
    assert staff_view["query_code"] == answer["query_code"] and staff_view["caller"]["phone"] == "13612345678"
    assert staff_view["timeline"][0]["actor"] == "public-web"
    status = desk.client.get("/api/hotline/v1/public/status",
                             query_string={"number": answer["number"], "code": answer["query_code"]})
    assert status.status_code == 200 and "钱七" not in json.dumps(status.get_json(), ensure_ascii=False)


def test_bad_input_is_refused_field_by_field_and_files_nothing(desk: Any, envelope: Any) -> None:
    before = desk.count("tickets")
    body = envelope(file(desk, {**FORM, "content": "太短", "caller": {"name": "x"}, "urgency": "emergency"}), 422)
    assert {"content", "caller", "urgency"} <= set(body["errors"])  # no phone; urgency is not the public's
    assert desk.count("tickets") == before


def test_the_same_submission_retried_files_one_ticket(desk: Any) -> None:
    first = file(desk, FORM, **{"Idempotency-Key": "portal-retry-1"})
    again = file(desk, FORM, **{"Idempotency-Key": "portal-retry-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json()["number"] == again.get_json()["number"]


def test_one_address_may_file_five_a_minute_and_another_is_not_held_up(desk: Any, envelope: Any) -> None:
    for _ in range(5):
        assert file(desk, FORM, remote_addr="198.51.100.77").status_code == 201
    envelope(file(desk, FORM, remote_addr="198.51.100.77"), 429)
    assert file(desk, FORM, remote_addr="198.51.100.78").status_code == 201
