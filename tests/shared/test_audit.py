"""The hash-chained audit trail: verification, tampering detection, entity history, and the CLI."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import shared.audit
from shared.audit import ChainReport, changed_fields, entity_history, verify_chain
from shared.audit_cli import audit, database_registry
from shared.db import Database
from shared.uow import GENESIS_HASH, audit_hash

ROWS = 20


def write_audit(db: Database, clock, *, uows: int = 4, per_uow: int = 5) -> None:
    """Several units of work by different actors, each appending several records."""
    for n in range(uows):
        clock.advance(minutes=7)
        with db.unit_of_work(actor=f"user:clerk{n}", correlation_id=f"corr-{n}") as uow:
            for i in range(per_uow):
                uow.audit("thing.updated", "thing", str(i), before={"size": n}, after={"size": n + 1})
            uow.commit()


@pytest.fixture
def audited(db, clock) -> Database:
    write_audit(db, clock)
    return db


def rows(db: Database) -> dict[int, dict]:
    t = db.metadata.tables["audit_log"]
    with db.read() as conn:
        return {r.seq: dict(r._mapping) for r in conn.execute(sa.select(t).order_by(t.c.seq))}


def execute(db: Database, statement: sa.Executable) -> None:
    with db.engine.begin() as conn:
        conn.execute(statement)


def audit_log(db: Database) -> sa.Table:
    return db.metadata.tables["audit_log"]


def audit_head(db: Database) -> sa.Table:
    return db.metadata.tables["audit_head"]


def shift_seq(db: Database, from_seq: int, by: int) -> None:
    """Renumber rows from ``from_seq`` on, in two steps so no intermediate seq collides."""
    t = audit_log(db)
    execute(db, t.update().where(t.c.seq >= from_seq).values(seq=t.c.seq + 100_000))
    execute(db, t.update().where(t.c.seq >= 100_000).values(seq=t.c.seq - 100_000 + by))


# -- a valid chain -----------------------------------------------------------------------------------

def test_chain_is_valid_after_many_writes_from_several_units_of_work(audited):
    assert verify_chain(audited) == ChainReport(ok=True, checked=ROWS)


def test_empty_log_with_the_genesis_head_is_valid(db):
    assert verify_chain(db) == ChainReport(ok=True, checked=0)


def test_first_audit_on_a_database_without_a_head_row_creates_it(db, clock):
    execute(db, audit_head(db).delete())
    assert verify_chain(db).ok

    write_audit(db, clock, uows=2, per_uow=2)

    assert verify_chain(db) == ChainReport(ok=True, checked=4)


def test_rolled_back_unit_of_work_leaves_no_gap_in_the_chain(db, clock):
    write_audit(db, clock, uows=1)
    with db.unit_of_work() as uow:
        uow.audit("thing.deleted", "thing", "1", before={"size": 1}, after=None)
    write_audit(db, clock, uows=1)

    assert verify_chain(db) == ChainReport(ok=True, checked=10)


def test_chain_is_valid_when_streamed_in_batches_smaller_than_the_log(audited, monkeypatch):
    monkeypatch.setattr(shared.audit, "STREAM_BATCH", 3)

    assert verify_chain(audited) == ChainReport(ok=True, checked=ROWS)


def test_concurrent_writers_extend_one_unbroken_chain(db, clock):
    def writer(n: int) -> None:
        for i in range(10):
            with db.unit_of_work(actor=f"user:w{n}") as uow:
                uow.audit("thing.touched", "thing", f"{n}-{i}", before=None, after={"i": i})
                uow.audit("thing.touched", "thing", f"{n}-{i}", before={"i": i}, after={"i": i + 1})
                uow.commit()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(writer, range(4)))

    assert verify_chain(db) == ChainReport(ok=True, checked=80)


# -- tampering -----------------------------------------------------------------------------------------

def test_edited_field_is_detected_at_its_row(audited):
    execute(audited, audit_log(audited).update().where(audit_log(audited).c.seq == 7)
            .values(actor="user:someone-else"))

    report = verify_chain(audited)

    assert (report.ok, report.first_bad_seq, report.checked) == (False, 7, 6)
    assert "altered" in report.reason


@pytest.mark.parametrize(("column", "value"), [
    ("after", '{"size":99}'), ("before", None), ("action", "thing.deleted"), ("entity_id", "4"),
    ("correlation_id", "corr-x"),
])
def test_any_edited_hashed_column_is_detected(audited, column, value):
    execute(audited, audit_log(audited).update().where(audit_log(audited).c.seq == 12)
            .values({column: value}))

    assert verify_chain(audited).first_bad_seq == 12


def test_edited_timestamp_is_detected(audited, clock):
    execute(audited, audit_log(audited).update().where(audit_log(audited).c.seq == 3)
            .values(at=clock.now()))

    assert verify_chain(audited).first_bad_seq == 3


def test_edited_row_with_its_own_hash_recomputed_breaks_the_link_of_the_next_row(audited):
    row = rows(audited)[7] | {"actor": "user:someone-else"}
    execute(audited, audit_log(audited).update().where(audit_log(audited).c.seq == 7)
            .values(actor=row["actor"], hash=audit_hash(row["prev_hash"], row)))

    report = verify_chain(audited)

    assert (report.first_bad_seq, report.checked) == (8, 7)
    assert "does not link" in report.reason


def test_deleted_row_is_detected_at_its_seq(audited):
    execute(audited, audit_log(audited).delete().where(audit_log(audited).c.seq == 9))

    report = verify_chain(audited)

    assert (report.first_bad_seq, report.checked) == (9, 8)
    assert "missing" in report.reason


def test_deleted_row_with_later_rows_renumbered_is_detected_at_the_gap(audited):
    execute(audited, audit_log(audited).delete().where(audit_log(audited).c.seq == 9))
    shift_seq(audited, 10, by=-1)

    assert verify_chain(audited).first_bad_seq == 9


def test_reordered_rows_are_detected_at_the_first_moved_row(audited):
    t = audit_log(audited)
    execute(audited, t.update().where(t.c.seq == 5).values(seq=-5))
    execute(audited, t.update().where(t.c.seq == 6).values(seq=5))
    execute(audited, t.update().where(t.c.seq == -5).values(seq=6))

    assert verify_chain(audited).first_bad_seq == 5


def test_inserted_row_with_a_made_up_hash_is_detected_at_its_seq(audited, clock):
    shift_seq(audited, 8, by=1)
    forged = rows(audited)[7] | {"seq": 8, "actor": "user:forger", "prev_hash": rows(audited)[7]["hash"],
                                 "hash": "f" * 64}
    execute(audited, audit_log(audited).insert().values(forged))

    assert verify_chain(audited).first_bad_seq == 8


def test_inserted_row_that_links_correctly_breaks_the_chain_at_the_row_after_it(audited):
    shift_seq(audited, 8, by=1)
    previous = rows(audited)[7]
    forged = previous | {"seq": 8, "actor": "user:forger", "prev_hash": previous["hash"]}
    forged["hash"] = audit_hash(previous["hash"], forged)
    execute(audited, audit_log(audited).insert().values(forged))

    assert verify_chain(audited).first_bad_seq == 9


def test_row_appended_without_moving_the_head_is_detected(audited):
    last = rows(audited)[ROWS]
    forged = last | {"seq": ROWS + 1, "prev_hash": last["hash"], "action": "thing.deleted"}
    forged["hash"] = audit_hash(last["hash"], forged)
    execute(audited, audit_log(audited).insert().values(forged))

    report = verify_chain(audited)

    assert (report.first_bad_seq, report.checked) == (ROWS + 1, ROWS + 1)
    assert "audit_head is at seq 20" in report.reason


def test_truncated_tail_is_detected_at_the_first_missing_row(audited):
    execute(audited, audit_log(audited).delete().where(audit_log(audited).c.seq > ROWS - 2))

    report = verify_chain(audited)

    assert (report.first_bad_seq, report.checked) == (ROWS - 1, ROWS - 2)


def test_edited_head_hash_is_detected(audited):
    execute(audited, audit_head(audited).update().values(hash="a" * 64))

    report = verify_chain(audited)

    assert (report.ok, report.first_bad_seq, report.checked) == (False, ROWS, ROWS)
    assert "audit_head hash" in report.reason


@pytest.mark.parametrize(("head_seq", "first_bad"), [(ROWS - 1, ROWS), (ROWS + 1, ROWS + 1)])
def test_edited_head_seq_is_detected(audited, head_seq, first_bad):
    execute(audited, audit_head(audited).update().values(seq=head_seq))

    assert verify_chain(audited).first_bad_seq == first_bad


def test_removed_head_with_rows_present_is_detected(audited):
    execute(audited, audit_head(audited).delete())

    report = verify_chain(audited)

    assert report.first_bad_seq == 1
    assert "missing" in report.reason


def test_whole_log_rewritten_from_genesis_with_its_head_is_not_detectable(audited):
    """The documented limit: the chain is only as trustworthy as the head it is checked against."""
    rewritten, prev = [], GENESIS_HASH
    for row in rows(audited).values():
        row = row | {"actor": "user:forger", "prev_hash": prev}
        row["hash"] = prev = audit_hash(prev, row)
        rewritten.append(row)
    execute(audited, audit_log(audited).delete())
    execute(audited, audit_log(audited).insert().values(rewritten))
    execute(audited, audit_head(audited).update().values(hash=prev))

    assert verify_chain(audited).ok


# -- history -----------------------------------------------------------------------------------------

def test_entity_history_lists_one_entity_oldest_first_with_decoded_snapshots(db, clock):
    with db.unit_of_work(actor="user:li", correlation_id="c-1") as uow:
        uow.audit("thing.created", "thing", "42", before=None, after={"name": "灯", "size": 1})
        uow.audit("thing.created", "thing", "43", before=None, after={"name": "门"})
        uow.commit()
    clock.advance(hours=2)
    with db.unit_of_work(actor="user:wang") as uow:
        uow.audit("thing.resized", "thing", 42, before={"name": "灯", "size": 1},
                  after={"name": "灯", "size": 3})
        uow.commit()

    with db.read() as conn:
        history = entity_history(conn, "thing", "42")

    assert [(h["seq"], h["actor"], h["action"], h["changed"]) for h in history] == [
        (1, "user:li", "thing.created", ["name", "size"]),
        (3, "user:wang", "thing.resized", ["size"]),
    ]
    assert history[1]["before"] == {"name": "灯", "size": 1}
    assert history[1]["after"] == {"name": "灯", "size": 3}
    assert history[1]["at"] == clock.now()
    assert history[0]["correlation_id"] == "c-1"


def test_entity_history_of_an_unknown_entity_is_empty(audited):
    with audited.read() as conn:
        assert entity_history(conn, "ticket", "missing") == []


@pytest.mark.parametrize(("before", "after", "changed"), [
    (None, {"a": 1}, ["a"]),
    ({"a": 1, "b": 2}, None, ["a", "b"]),
    ({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}, ["b", "c"]),
    ("opened", "closed", []),
])
def test_changed_fields_lists_top_level_keys_that_differ(before, after, changed):
    assert changed_fields(before, after) == changed


# -- CLI -----------------------------------------------------------------------------------------------

def test_cli_verify_prints_ok_and_exits_zero_for_an_intact_chain(audited):
    result = CliRunner().invoke(audit, ["verify", "alpha"], obj={"databases": lambda service: audited})

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK alpha: {ROWS} audit records")


def test_cli_verify_prints_fail_and_exits_one_for_a_broken_chain(audited):
    execute(audited, audit_log(audited).delete().where(audit_log(audited).c.seq == 4))

    result = CliRunner().invoke(audit, ["verify", "alpha"], obj={"databases": lambda service: audited})

    assert result.exit_code == 1
    assert "FAIL alpha: chain broken at seq 4" in result.output
    assert "3 records intact" in result.output


def test_cli_history_prints_one_json_line_per_record(audited):
    result = CliRunner().invoke(audit, ["history", "alpha", "thing", "2"],
                                obj={"databases": lambda service: audited})

    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 4


def test_cli_without_a_database_registry_is_a_usage_error():
    result = CliRunner().invoke(audit, ["verify", "alpha"])

    assert result.exit_code == 2
    assert 'ctx.obj["databases"]' in result.output


def test_database_registry_opens_the_configured_database_of_each_service(tmp_path, monkeypatch, db,
                                                                           clock):
    monkeypatch.setenv("DUBAN_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("DUBAN_MODE", raising=False)
    (tmp_path / "data").mkdir()
    registry = database_registry({"alpha": db.metadata})
    configured = registry("alpha")
    assert configured.url == f"sqlite:///{tmp_path / 'data' / 'alpha.db'}"
    configured.metadata.create_all(configured.engine)
    configured.clock = clock
    write_audit(configured, clock, uows=1)
    configured.dispose()

    result = CliRunner().invoke(audit, ["verify", "alpha"], obj={"databases": registry})

    assert result.exit_code == 0, result.output
    assert "OK alpha: 5 audit records" in result.output


def test_database_registry_rejects_an_unknown_service(db):
    result = CliRunner().invoke(audit, ["verify", "nowhere"],
                                obj={"databases": database_registry({"alpha": db.metadata})})

    assert result.exit_code == 2
    assert "unknown service 'nowhere'" in result.output
