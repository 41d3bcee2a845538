"""Typed events: encode and decode, tolerate added fields, refuse missing ones; the generated list is current."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.events import EVENTS, InvalidEventData
from shared.events.catalogue import DOC, all_events, updated
from shared.events.hotline import TicketSigned
from shared.events.monitoring import CardIssued

AT = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def test_an_event_round_trips_through_its_json_data_with_datetimes_as_iso_strings():
    signed = TicketSigned(ticket_id="t", number="n", status="signed", department="zjj", signed_at=AT, on_time=True)

    data = signed.to_data()

    assert data["signed_at"] == "2026-11-02T01:00:00+00:00"
    assert TicketSigned.from_data(data) == signed


def test_decoding_ignores_fields_it_does_not_know_and_refuses_a_missing_required_one():
    data = TicketSigned(ticket_id="t", department="zjj", signed_at=AT, on_time=False).to_data()

    assert TicketSigned.from_data({**data, "added_later": 1}).on_time is False
    with pytest.raises(InvalidEventData, match="signed_at"):
        TicketSigned.from_data({k: v for k, v in data.items() if k != "signed_at"})


def test_a_naive_datetime_is_refused():
    data = CardIssued(card_id="c", color="red", department="zjj", reason="r", source="auto", rule="overdue",
                      issued_at=AT).to_data()

    with pytest.raises(InvalidEventData, match="UTC offset"):
        CardIssued.from_data({**data, "issued_at": "2026-11-02T01:00:00"})


def test_every_routing_key_has_one_class_named_service_aggregate_event():
    assert all(key.count(".") == 2 and key == cls.TYPE for key, cls in all_events().items())
    assert set(all_events()) <= set(EVENTS)


def test_the_generated_list_in_docs_events_md_is_current():
    """Run ``python -m shared.events.catalogue`` after changing an event class."""
    text = DOC.read_text(encoding="utf-8")
    assert updated(text) == text
