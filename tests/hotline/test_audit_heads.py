"""Audit tail truncation is caught: every service publishes its chain head, monitoring keeps the highest
one it received, and ``duban audit verify <service>`` compares the chain with it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from shared.audit import verify_chain
from shared.audit_cli import audit
from shared.audit_heads import publish_head


def verify(desk, service: str = "hotline"):
    return CliRunner().invoke(audit, ["verify", service], obj={"databases": lambda name: desk.suite.databases[name]})


def kept_heads(desk) -> dict[str, int]:
    table = desk.suite.databases["monitoring"].metadata.tables["audit_heads"]
    with desk.suite.databases["monitoring"].read() as conn:
        return {row.service: row.seq for row in conn.execute(sa.select(table))}


def truncate_tail(db, rows: int) -> None:
    """What an intruder with database access does: delete the last rows and rewind the head to match."""
    log, head = db.metadata.tables["audit_log"], db.metadata.tables["audit_head"]
    with db.engine.begin() as conn:
        last = conn.execute(sa.select(sa.func.max(log.c.seq))).scalar_one()
        conn.execute(log.delete().where(log.c.seq > last - rows))
        new_last = conn.execute(sa.select(log.c.seq, log.c.hash).order_by(log.c.seq.desc()).limit(1)).one()
        conn.execute(head.update().where(head.c.id == 1).values(seq=new_last.seq, hash=new_last.hash))


def test_every_service_publishes_its_head_and_monitoring_keeps_it(desk):
    desk.file()
    for db in desk.suite.databases.values():
        publish_head(db)

    desk.suite.runtime.run_until_idle()

    heads = kept_heads(desk)
    assert set(heads) == set(desk.suite.databases)
    assert heads["hotline"] == desk.last_seq("audit_log") > 0


def test_a_truncated_tail_passes_the_chain_check_but_not_the_comparison_with_the_kept_head(desk):
    for _ in range(3):
        desk.file()
    publish_head(desk.db)
    desk.suite.runtime.run_until_idle()
    before = verify(desk)

    truncate_tail(desk.db, rows=2)
    publish_head(desk.db)  # the rewound head is published too: a lower head never replaces a higher one
    desk.suite.runtime.run_until_idle()
    after = verify(desk)

    assert before.exit_code == 0 and "reaches the head" in before.output, before.output
    assert verify_chain(desk.db).ok  # the chain alone cannot tell
    assert after.exit_code == 1 and "truncated" in after.output, after.output


def test_a_rewritten_tail_of_the_same_length_is_caught_too(desk):
    desk.file()
    publish_head(desk.db)
    desk.suite.runtime.run_until_idle()
    log = desk.db.metadata.tables["audit_log"]
    with desk.db.engine.begin() as conn:  # the kept row's hash no longer matches
        last = conn.execute(sa.select(sa.func.max(log.c.seq))).scalar_one()
        conn.execute(log.update().where(log.c.seq == last).values(hash="f" * 64))

    assert verify(desk).exit_code == 1


def test_a_service_cannot_report_another_services_head(desk):
    """A forged head would let one service mask another's truncation (or raise a false alarm)."""
    from shared.audit_heads import keep_head
    from shared.bus.envelope import Event
    from shared.errors import InvalidInput

    monitoring = desk.suite.databases["monitoring"]
    forged = Event(type="gateway.audit.head", data={"service": "hotline", "seq": 10**6, "hash": "0" * 64,
                                                    "at": "2026-11-23T09:00:00+08:00"},
                   occurred_at=desk.clock.now(), producer="gateway")
    with monitoring.unit_of_work() as uow, pytest.raises(InvalidInput):
        keep_head(None, uow, forged)

    assert kept_heads(desk).get("hotline") != 10**6
