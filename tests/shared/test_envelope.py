"""The event envelope and AMQP topic matching (unit tests, no I/O)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.bus.envelope import Event, UndecodableMessage, topic_matches

BEIJING = timezone(timedelta(hours=8))


@pytest.mark.parametrize(("pattern", "routing_key", "matches"), [
    ("hotline.ticket.dispatched", "hotline.ticket.dispatched", True),
    ("hotline.ticket.dispatched", "hotline.ticket.signed", False),
    ("hotline.ticket.*", "hotline.ticket.dispatched", True),
    ("hotline.*", "hotline.ticket.dispatched", False),
    ("hotline.*.*", "hotline.ticket.dispatched", True),
    ("*.ticket.*", "hotline.ticket.dispatched", True),
    ("hotline.ticket.*", "hotline.ticket", False),
    ("hotline.#", "hotline.ticket.dispatched", True),
    ("hotline.#", "hotline", True),
    ("hotline.#", "monitoring.card.issued", False),
    ("#", "rectification.notice.opened", True),
    ("#.issued", "monitoring.card.issued", True),
    ("#.issued", "monitoring.card.revoked", False),
    ("monitoring.#.issued", "monitoring.issued", True),
    ("monitoring.#.issued", "monitoring.card.red.issued", True),
    ("*.#", "hotline", True),
    ("*.*.#", "hotline", False),
])
def test_topic_matches_follows_amqp_star_and_hash_rules(pattern, routing_key, matches):
    assert topic_matches(pattern, routing_key) is matches


def make_event(**overrides) -> Event:
    fields = {"type": "hotline.ticket.dispatched", "data": {"ticket": "GD-1", "unit": "市水务局"},
              "occurred_at": datetime(2025, 3, 3, 9, 30, 15, 120000, tzinfo=BEIJING),
              "producer": "hotline", "correlation_id": "corr-1", "causation_id": "cause-1",
              "version": 2}
    return Event(**{**fields, **overrides})


def test_event_survives_a_json_round_trip_unchanged():
    event = make_event()

    decoded = Event.from_json(event.to_json())

    assert decoded == event
    assert decoded.occurred_at.utcoffset() == timedelta(hours=8)  # the producer's offset is kept


def test_event_json_is_canonical_and_keeps_chinese_readable():
    body = make_event().to_json()

    assert body == json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert "市水务局" in body


def test_event_decoding_ignores_unknown_fields_and_defaults_the_version():
    raw = json.loads(make_event().to_json())
    raw.pop("version")
    raw["trace"] = {"span": "abc"}

    decoded = Event.from_json(json.dumps(raw).encode())

    assert decoded.version == 1 and decoded.data == {"ticket": "GD-1", "unit": "市水务局"}


def test_naive_occurred_at_is_rejected():
    with pytest.raises(ValueError, match="offset"):
        make_event(occurred_at=datetime(2025, 3, 3, 9, 30))


def test_naive_occurred_at_in_a_message_is_undecodable():
    raw = json.loads(make_event().to_json())
    raw["occurred_at"] = "2025-03-03T09:30:00"

    with pytest.raises(UndecodableMessage):
        Event.from_json(json.dumps(raw))


@pytest.mark.parametrize("type_", ["hotline", "hotline.ticket", ""])
def test_event_type_needs_service_aggregate_and_event_words(type_):
    with pytest.raises(ValueError, match=r"<service>\.<aggregate>\.<event>"):
        make_event(type=type_)


def test_each_event_gets_its_own_id():
    when = datetime(2025, 3, 3, tzinfo=UTC)
    first, second = (Event(type="a.b.c", data={}, occurred_at=when, producer="a") for _ in range(2))

    assert first.id != second.id
