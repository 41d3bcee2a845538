"""The OpenAPI document says what the server does, and the small answers are the right ones."""

from __future__ import annotations

import pytest

TICKETS = "/api/hotline/v1/tickets"


@pytest.fixture
def spec(desk):
    return desk.client.get("/api/hotline/openapi.json").get_json()


def _schema(spec: dict, ref: dict) -> dict:
    return spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def _body_schema(spec: dict, path: str) -> dict:
    content = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return _schema(spec, content["schema"])


@pytest.mark.parametrize("path", ["/api/hotline/v1/stats", "/api/hotline/v1/public/status"])
def test_stats_and_public_status_declare_their_200_with_a_schema(spec, path):
    ok = spec["paths"][path]["get"]["responses"]["200"]

    assert "$ref" in ok["content"]["application/json"]["schema"]


@pytest.mark.parametrize("service", ["hotline", "monitoring", "gateway"])
def test_every_service_declares_the_bearer_scheme_it_verifies(desk, service):
    spec = desk.suite.apps[service].test_client().get(f"/api/{service}/openapi.json").get_json()

    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_return_and_extension_reasons_declare_the_five_characters_the_model_requires(spec):
    returning = _body_schema(spec, "/api/hotline/v1/tickets/{ticket_id}/return")
    extension = _body_schema(spec, "/api/hotline/v1/tickets/{ticket_id}/extension")

    assert returning["properties"]["reason"]["minLength"] == 5
    assert extension["properties"]["reason"]["minLength"] == 5
    assert extension["properties"]["days"]["maximum"] == 10


def test_a_four_character_return_reason_is_refused_by_the_schema(desk, envelope):
    ticket_id = desk.in_status("signed")

    error = envelope(desk.act(ticket_id, "return", reason="不归我管"), 422)

    assert "reason" in error["errors"]


def test_an_extension_of_more_than_ten_days_is_refused_by_the_schema(desk, envelope):
    ticket_id = desk.in_status("signed")

    error = envelope(desk.act(ticket_id, "extension", days=11), 422)

    assert "days" in error["errors"]


def test_a_merged_ticket_is_labelled_already_merged(desk):
    ticket_id = desk.in_status("merged")

    ticket = desk.ticket(ticket_id)

    assert (ticket["status"], ticket["status_label"]) == ("merged", "已并单")


def test_closing_without_a_callback_records_the_caller_as_unreachable(desk):
    ticket_id = desk.in_status("replied")

    closed = desk.do(ticket_id, "close", reason="三次回访均无人接听")

    assert (closed["status"], closed["resolution"]) == ("closed", "unreachable")


def test_the_stats_answer_matches_its_schema_fields(desk, spec):
    body = desk.get("/api/hotline/v1/stats", "dispatcher", period="2026Q4").get_json()
    declared = _schema(spec, spec["paths"]["/api/hotline/v1/stats"]["get"]["responses"]["200"]["content"]
                       ["application/json"]["schema"])

    assert set(body) == set(declared["properties"])
