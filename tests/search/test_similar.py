"""Similar tickets while the operator types (并单 candidates), on both backends: the same thing said in other
words, the same phone whatever it says, never a finished or month-old ticket, the hotline office only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.events import hotline as H
from shared.privacy import caller_key
from tests.search.conftest import T0, ticket

FUMES = ("小区楼下餐馆油烟扰民", "朝阳路小区一楼餐馆排烟管道直排，油烟和噪音影响居民休息")
SAME_FUMES = "餐馆油烟扰民 朝阳路小区楼下餐馆油烟直排，影响休息"
PHONE = "13800138001"


@pytest.fixture
def desk_at(desk, monkeypatch):
    """The desk with its database clock standing a day after T0 (the 30-day window is counted from it)."""
    monkeypatch.setattr(desk.search.db.clock, "now", lambda: T0 + timedelta(days=1))
    return desk


def file(desk, n, title, content, *, phone="", at=T0):
    event = ticket(n, title, content, created_at=at)
    if phone:
        event = H.TicketReceived(**{**event.__dict__, "caller_key": caller_key(phone, desk.search.caller_key)})
    desk.feed(event, at=at)


def similar(desk, text, phone="", user="operator"):
    response = desk.http.post("/api/search/v1/similar", json={"text": text, "phone": phone},
                              headers=desk.headers(user))
    assert response.status_code == 200, response.get_json()
    return {item["id"]: item for item in response.get_json()["items"]}


def test_the_same_thing_in_other_words_is_suggested(desk_at):
    file(desk_at, 1, *FUMES)
    file(desk_at, 2, "公交站台顶棚破损", "人民路公交站台顶棚破损漏雨")

    found = similar(desk_at, SAME_FUMES)

    assert list(found) == ["t-1"]
    assert found["t-1"]["same_caller"] is False and 0.3 <= found["t-1"]["score"] <= 1.0
    assert "<em>" in found["t-1"]["highlight"]


def test_the_same_phone_is_suggested_whatever_it_says(desk_at):
    file(desk_at, 1, *FUMES, phone=PHONE)

    found = similar(desk_at, "公交站台顶棚破损漏雨", phone="138 0013 8001")

    assert found["t-1"]["same_caller"] is True


def test_an_unrelated_text_from_another_phone_finds_nothing(desk_at):
    file(desk_at, 1, *FUMES, phone=PHONE)

    assert similar(desk_at, "公交站台顶棚破损漏雨", phone="13600136003") == {}


@pytest.mark.parametrize("finish", [
    H.TicketClosed(ticket_id="t-1", status="closed", resolution="resolved", closed_at=T0),
    H.TicketMerged(ticket_id="t-1", status="merged", into="t-9", into_number="x"),
])
def test_finished_tickets_are_not_suggested(desk_at, finish):
    file(desk_at, 1, *FUMES, phone=PHONE)
    desk_at.feed(finish, at=T0 + timedelta(minutes=5))

    assert similar(desk_at, SAME_FUMES, phone=PHONE) == {}


def test_tickets_older_than_thirty_days_are_not_suggested(desk_at):
    file(desk_at, 1, *FUMES, at=T0 - timedelta(days=31))

    assert similar(desk_at, SAME_FUMES) == {}


@pytest.mark.parametrize("user", ["inspector", "department"])
def test_only_the_hotline_office_gets_suggestions(desk_at, envelope, user):
    response = desk_at.http.post("/api/search/v1/similar", json={"text": SAME_FUMES},
                                 headers=desk_at.headers(user, departments=("zjj",)))

    envelope(response, 403)


def test_a_bad_phone_gets_422(desk_at, envelope):
    response = desk_at.http.post("/api/search/v1/similar", json={"text": SAME_FUMES, "phone": "call me"},
                                 headers=desk_at.headers("operator"))

    assert "phone" in envelope(response, 422)["errors"]
