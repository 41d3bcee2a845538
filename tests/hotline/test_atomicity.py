"""Each command commits its state change, its outbox events and its audit record in one transaction
(DESIGN §4 "Transactional outbox", §7 audit): all of them or none."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from services.hotline.store import TicketRepository
from shared.audit import verify_chain
from shared.errors import ConcurrentUpdate
from shared.uow import UnitOfWork

TICKETS = "/api/hotline/v1/tickets"

# (status, action, body changes, routing keys the command writes in order)
# (status, action, body changes, ticket events, clock-contract commands as (verb, kind))
TRANSITIONS = [
    ("received", "answer", {}, ["hotline.ticket.replied"], [("started", "callback")]),
    ("received", "legal-channel", {}, ["hotline.ticket.replied"], [("started", "callback")]),
    ("received", "transfer", {}, ["hotline.ticket.closed"], []),
    ("received", "dispatch", {}, ["hotline.ticket.dispatched"], [("started", "sign"), ("started", "handle")]),
    ("dispatched", "sign", {}, ["hotline.ticket.signed"], [("stopped", "sign")]),
    ("dispatched", "return", {}, ["hotline.ticket.return_requested"], [("paused", "sign"), ("paused", "handle")]),
    ("return_requested", "return/review", {}, ["hotline.ticket.return_rejected"],
     [("resumed", "sign"), ("resumed", "handle")]),
    ("return_requested", "return/review", {"accept": True}, ["hotline.ticket.return_accepted"],
     [("stopped", "sign"), ("stopped", "handle")]),
    ("return_requested", "return/review", {"accept": True, "lead_department": "dcq"},
     ["hotline.ticket.return_accepted", "hotline.ticket.dispatched"],
     [("stopped", "sign"), ("stopped", "handle"), ("started", "sign"), ("started", "handle")]),
    ("signed", "extension", {}, ["hotline.ticket.extension_requested"], []),
    ("signed", "urge", {}, ["hotline.ticket.urged"], []),
    ("signed", "assist", {}, ["hotline.ticket.assisted"], []),
    ("signed", "reply", {}, ["hotline.ticket.replied"],
     [("stopped", "sign"), ("stopped", "handle"), ("started", "callback")]),
    ("replied", "callback", {}, ["hotline.ticket.callback_recorded", "hotline.ticket.closed"],
     [("stopped", "callback")]),
    ("replied", "callback", {"satisfaction": "dissatisfied", "justified": True},
     ["hotline.ticket.callback_recorded", "hotline.ticket.reopened"],
     [("stopped", "callback"), ("started", "sign"), ("started", "handle")]),
    ("replied", "close", {}, ["hotline.ticket.closed"], [("stopped", "callback")]),
]


def transition_id(row: tuple) -> str:
    return f"{row[1]}-" + "-".join(key.rsplit(".", 1)[1] for key in row[3])


class AuditStoreDown(RuntimeError):
    pass


@pytest.fixture
def break_audit(monkeypatch: pytest.MonkeyPatch):
    """``break_audit()`` makes the audit append, the last write of every unit of work, fail from then on."""

    def fail(self: UnitOfWork, conn: sa.Connection) -> None:
        raise AuditStoreDown("audit store unavailable")

    return lambda: monkeypatch.setattr(UnitOfWork, "_append_audit", fail)


@pytest.mark.parametrize(("status", "action", "changes", "keys", "clocks"),
                         [pytest.param(*row, id=transition_id(row)) for row in TRANSITIONS])
def test_a_transition_writes_exactly_its_events_and_one_audit_record(shared_desk, status, action, changes, keys,
                                                                     clocks):
    desk = shared_desk
    ticket_id = desk.in_status(status)
    outbox_seq, audit_seq = desk.last_seq("outbox"), desk.last_seq("audit_log")
    version = desk.stored(ticket_id).version

    after = desk.do(ticket_id, action, **changes)

    bodies = [json.loads(r.body) for r in desk.rows("outbox", desk.table("outbox").c.seq > outbox_seq)]
    tickets = [b for b in bodies if b["type"].startswith("hotline.ticket.")]
    assert [b["type"] for b in tickets] == keys
    assert {(b["producer"], b["data"]["ticket_id"]) for b in tickets} == {("hotline", ticket_id)}
    commands = [b for b in bodies if b["type"].startswith("hotline.clock.")]
    assert [(b["type"].rsplit(".", 1)[1], b["data"]["kind"]) for b in commands] == clocks
    assert {(b["data"]["subject_service"], b["data"]["subject_id"]) for b in commands} <= {("hotline", ticket_id)}
    assert len({b["data"]["key"] for b in commands}) == len(commands)  # every command its own key
    assert len(tickets) + len(commands) == len(bodies)
    [record] = desk.audit_rows(audit_seq)
    assert (record.entity_type, record.entity_id) == ("ticket", ticket_id)
    assert record.actor == f"user:{desk.user_for(action)}"
    assert record.action.startswith("ticket.")
    assert json.loads(record.before)["status"] == status
    assert json.loads(record.after)["status"] == after["status"]
    assert json.loads(record.after)["version"] == version + 1 == desk.stored(ticket_id).version


def test_filing_writes_the_ticket_its_received_event_and_one_audit_record(desk):
    outbox_seq, audit_seq = desk.last_seq("outbox"), desk.last_seq("audit_log")

    ticket = desk.file()

    assert desk.outbox_keys(outbox_seq) == ["hotline.ticket.received"]
    [record] = desk.audit_rows(audit_seq)
    assert (record.action, record.entity_id, record.actor, record.before) == (
        "ticket.received", ticket["id"], "user:operator", None)


@pytest.mark.parametrize(("status", "action", "changes"), [
    ("received", "dispatch", {}),
    ("dispatched", "sign", {}),
    ("signed", "reply", {}),
    ("replied", "callback", {"satisfaction": "dissatisfied", "justified": True}),
    ("return_requested", "return/review", {"accept": True, "lead_department": "dcq"}),
])
def test_when_the_audit_append_fails_neither_the_change_nor_its_events_persist(
        desk, envelope, break_audit, status, action, changes):
    ticket_id = desk.in_status(status)
    before, counts = desk.stored(ticket_id), desk.counts()
    break_audit()

    envelope(desk.act(ticket_id, action, **changes), 500)

    assert desk.stored(ticket_id) == before
    assert desk.counts() == counts
    assert desk.ticket(ticket_id)["status"] == status


def test_when_the_audit_append_fails_intake_leaves_no_ticket_keyword_event_or_audit_behind(
        desk, envelope, break_audit):
    counts = desk.counts()
    break_audit()

    envelope(desk.post(TICKETS, "operator", {"type": "help", "title": "路灯不亮", "content": "和平路路灯坏了"}), 500)

    # The day's number is drawn in its own short transaction (so intakes do not queue behind each
    # other's locks); a failed intake leaves a gap in the numbers and nothing else.
    counts.pop("ticket_sequences")
    after = desk.counts()
    after.pop("ticket_sequences")
    assert after == counts


def test_a_failed_intake_releases_its_idempotency_key_so_the_retry_files_the_ticket(
        desk, envelope, monkeypatch, break_audit):
    body, headers = {"type": "help", "title": "路灯不亮", "content": "和平路路灯坏了"}, {"Idempotency-Key": "k-1"}
    break_audit()
    envelope(desk.post(TICKETS, "operator", body, headers), 500)
    monkeypatch.undo()

    retry = desk.post(TICKETS, "operator", body, headers)

    assert retry.status_code == 201
    assert retry.get_json()["number"] == "20261123000002"  # the failed attempt left a gap
    assert desk.count("tickets") == 1


def test_a_failure_writing_the_timeline_rolls_back_the_ticket_row_too(desk, envelope, monkeypatch):
    ticket_id = desk.in_status("dispatched")
    before, counts = desk.stored(ticket_id), desk.counts()

    def broken_flush(self: TicketRepository, ticket: object) -> None:
        raise AuditStoreDown("disk full while writing the timeline")

    monkeypatch.setattr(TicketRepository, "_flush", broken_flush)
    envelope(desk.act(ticket_id, "sign"), 500)

    assert desk.stored(ticket_id) == before
    assert desk.counts() == counts


def test_a_stale_save_is_refused_and_writes_nothing(desk):
    ticket_id = desk.in_status("dispatched")
    with desk.db.read() as conn:
        mine, theirs = TicketRepository(conn).get(ticket_id), TicketRepository(conn).get(ticket_id)
    theirs.urge(actor=desk.principal("dispatcher"), note="先催办", now=desk.clock.now())
    with desk.db.unit_of_work(actor="test") as uow:
        TicketRepository(uow.conn).save(theirs)
        uow.commit()
    saved = desk.stored(ticket_id)

    mine.sign(actor=desk.principal("dept-zjj"), now=desk.clock.now())
    with pytest.raises(ConcurrentUpdate), desk.db.unit_of_work(actor="test") as uow:
        TicketRepository(uow.conn).save(mine)
        uow.commit()

    assert desk.stored(ticket_id) == saved
    assert saved.status == "dispatched"


def test_the_correlation_id_of_the_request_travels_with_the_events_and_the_audit(desk):
    ticket_id = desk.in_status("dispatched")
    outbox_seq, audit_seq = desk.last_seq("outbox"), desk.last_seq("audit_log")

    response = desk.client.post(f"{TICKETS}/{ticket_id}/sign", headers={
        **desk.headers("dept-zjj"), "X-Correlation-Id": "corr-12345"})

    assert response.status_code == 200
    events = desk.rows("outbox", desk.table("outbox").c.seq > outbox_seq)
    assert [r.routing_key for r in events] == ["hotline.ticket.signed", "hotline.clock.stopped"]
    assert {json.loads(event.body)["correlation_id"] for event in events} == {"corr-12345"}
    assert [r.correlation_id for r in desk.audit_rows(audit_seq)] == ["corr-12345"]


def test_the_audit_chain_verifies_after_a_full_lifecycle(desk):
    ticket_id = desk.file()["id"]
    duplicate_id = desk.file()["id"]
    for action, changes in [("dispatch", {}), ("sign", {}), ("extension", {}), ("extension/review", {}),
                            ("urge", {}), ("assist", {}), ("reply", {}),
                            ("callback", {"satisfaction": "very_dissatisfied", "justified": True}),
                            ("sign", {}), ("reply", {}), ("callback", {"satisfaction": "satisfied"})]:
        desk.do(ticket_id, action, **changes)
    desk.do(duplicate_id, "merge", into=desk.file()["id"])

    report = verify_chain(desk.db)

    assert report.ok, report
    assert report.checked == desk.count("audit_log") >= 16
    history = [r.action for r in desk.audit_rows() if r.entity_id == ticket_id]
    assert history[0] == "ticket.received" and history[-1] == "ticket.callback_recorded"


def test_editing_a_ticket_audit_record_breaks_the_chain(desk):
    ticket_id = desk.in_status("signed")
    audit = desk.table("audit_log")
    with desk.db.engine.begin() as conn:
        conn.execute(audit.update().where(audit.c.entity_id == ticket_id, audit.c.action == "ticket.signed")
                     .values(after=json.dumps({"status": "closed"})))

    report = verify_chain(desk.db)

    assert not report.ok
