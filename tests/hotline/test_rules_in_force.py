"""An admin publishes new rules through the API: the change is audited, new tickets and new clocks follow
it in every part of the suite, and running clocks keep the rules they started under."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from services.monitoring import store
from services.monitoring.sweep import sweep
from shared.calendar import TimeLimit

RULES = "/api/rules/v1"
NEW_RULES = {"hotline": {"handle_general": {"amount": 3, "unit": "working_days"}},
             "monitoring": {"red_after_workdays": 2}}


def publish(desk, document, user="admin"):
    client = desk.suite.apps["gateway"].test_client()
    return client.put(RULES, json={"document": document, "note": "试行新时限"}, headers=desk.headers(user))


def handle_clock(desk, ticket_id):
    monitoring = desk.suite.contexts["monitoring"]
    with monitoring.db.read() as conn:
        row = conn.execute(sa.select(store.clocks).where(store.clocks.c.subject_id == ticket_id,
                                                         store.clocks.c.kind == "handle")).one()
    return store.clock_from_row(row)


def test_published_rules_apply_to_new_tickets_and_clocks_and_running_clocks_keep_theirs(make_desk):
    desk = make_desk(calendar_refresh_seconds=0)
    before = desk.in_status("signed")
    desk.suite.runtime.run_until_idle()

    response = publish(desk, NEW_RULES)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] == 1
    assert response.get_json()["effective"]["monitoring"]["red_after_workdays"] == 2
    desk.suite.runtime.run_until_idle()  # the services' replicas follow
    after = desk.in_status("signed")
    desk.suite.runtime.run_until_idle()

    calendar, now = desk.hotline.calendar, desk.clock.now()
    assert desk.ticket(after)["handle_due_at"] == calendar.due(now, TimeLimit.workdays(3)).due_at.isoformat()
    assert desk.ticket(before)["handle_due_at"] == calendar.due(now, TimeLimit.workdays(5)).due_at.isoformat()
    old, new = handle_clock(desk, before), handle_clock(desk, after)
    assert (old.rules_version, new.rules_version) == (0, 1)
    # The sweeper judges each clock by its own version: two working days past its due time the new clock
    # is red, the old one only yellow (it goes red after five).
    monitoring = desk.suite.contexts["monitoring"]
    red_new = new.red_at(calendar, monitoring.policy_for(new))
    assert red_new == calendar.due(new.due_at - timedelta(seconds=1), TimeLimit.workdays(2)).due_at
    sweep(monitoring, now=max(red_new, old.due_at) + timedelta(minutes=1))
    assert handle_clock(desk, after).stage == "red" and handle_clock(desk, before).stage == "yellow"


def test_publishing_is_audited_and_announced_once_and_the_same_document_again_changes_nothing(make_desk):
    desk = make_desk()
    gateway_db = desk.suite.databases["gateway"]

    first = publish(desk, NEW_RULES)
    again = publish(desk, NEW_RULES)

    assert first.get_json()["version"] == again.get_json()["version"] == 1
    with gateway_db.read() as conn:
        audit = conn.execute(sa.text("SELECT action, actor FROM audit_log WHERE entity_type = 'rules'")).all()
        outbox = conn.execute(sa.text("SELECT routing_key FROM outbox WHERE routing_key = 'gateway.rules.published'"))
        assert [tuple(a) for a in audit] == [("rules.published", "user:admin")]
        assert len(outbox.all()) == 1


def test_bad_rules_are_refused_with_the_fault_named_and_nothing_published(make_desk, envelope):
    desk = make_desk()

    response = publish(desk, {"monitoring": {"red_after_workdays": -1}, "hotline": {"nonsense": 1}})

    body = envelope(response, 422)
    assert set(body["errors"]) == {"monitoring.red_after_workdays", "hotline.nonsense"}
    client = desk.suite.apps["gateway"].test_client()
    assert client.get(RULES, headers=desk.headers("dispatcher")).get_json()["version"] == 0


def test_only_an_admin_publishes(make_desk, envelope):
    desk = make_desk()

    envelope(publish(desk, NEW_RULES, user="inspector"), 403)
    envelope(publish(desk, NEW_RULES, user=None), 401)
