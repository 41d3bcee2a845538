"""SQLite's write-ahead log is checkpointed by a background thread, not inside the committing one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared import walcheckpoint
from shared.db import create_engine
from shared.walcheckpoint import Checkpointer


def _main_file(db) -> Path:
    return Path(db.engine.url.database)


def test_connections_leave_checkpoints_to_the_thread_with_the_commit_as_a_backstop(db):
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        limit = conn.exec_driver_sql("PRAGMA journal_size_limit").scalar()

    assert pages == walcheckpoint.BACKSTOP_PAGES
    assert limit == walcheckpoint.JOURNAL_SIZE_LIMIT


def test_a_committed_unit_of_work_reaches_the_database_file_through_the_checkpoint_thread(db, insert_thing):
    walcheckpoint.CHECKPOINTER.wait_idle(10)
    before = os.path.getsize(_main_file(db))

    with db.unit_of_work(actor="user:li") as uow:
        for i in range(200):  # ~200 pages: far below the commit's own backstop
            insert_thing(uow, f"thing-{i}-" + "x" * 60)
            uow.publish("alpha.thing.created", {"i": i, "padding": "y" * 2000})
        uow.commit()

    assert walcheckpoint.CHECKPOINTER.wait_idle(10)
    assert os.path.getsize(_main_file(db)) > before + 100 * 4096


def test_a_database_that_went_away_does_not_stop_the_thread(tmp_path):
    checkpointer = Checkpointer(min_interval=0)
    gone = create_engine(f"sqlite:///{tmp_path / 'missing' / 'gone.db'}")  # its folder does not exist
    alive = create_engine(f"sqlite:///{tmp_path / 'alive.db'}")
    with alive.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))

    checkpointer.request(gone)
    assert checkpointer.wait_idle(10)
    checkpointer.request(alive)

    assert checkpointer.wait_idle(10)
    busy, logged, checkpointed = walcheckpoint.checkpoint(alive)
    assert (busy, logged) == (0, checkpointed)
    gone.dispose()
    alive.dispose()


# Newer Pythons warn about forking a process with threads; gunicorn does exactly that, and so does this test.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_forked_child_checkpoints_with_a_thread_of_its_own(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'forked.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    walcheckpoint.CHECKPOINTER.request(engine)  # the parent's thread exists now
    assert walcheckpoint.CHECKPOINTER.wait_idle(10)
    engine.dispose()  # a forked child must not share the parent's SQLite connections

    pid = os.fork()
    if pid == 0:  # the child: exit status 0 only if its own thread ran the checkpoint
        code = 1
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO t VALUES (1)"))
            walcheckpoint.CHECKPOINTER.request(engine)
            code = 0 if walcheckpoint.CHECKPOINTER.wait_idle(10) else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    engine.dispose()
