"""``Idempotency-Key`` on write views: replay, mismatch, release on failure, in-progress claims."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from shared.auth import OPERATOR
from shared.idempotency import STALE_AFTER

URL = "/api/test/v1/things"


def post(client, body: dict, key: str | None = "key-1", **headers):
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(URL, json=body, headers=headers)


def things(db) -> list[str]:
    t = db.metadata.tables["things"]
    with db.read() as conn:
        return list(conn.execute(sa.select(t.c.name).order_by(t.c.id)).scalars())


def test_same_key_and_body_replays_the_first_response_and_writes_once(client, db, count_rows):
    first = post(client, {"name": "lamp", "size": 2})
    again = post(client, {"name": "lamp", "size": 2})

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() == {"id": 1, "name": "lamp", "size": 2}
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert things(db) == ["lamp"]
    assert count_rows(db, "outbox") == 1 and count_rows(db, "audit_log") == 1


def test_same_key_with_a_different_body_is_rejected_with_422(client, db):
    post(client, {"name": "lamp"})

    response = post(client, {"name": "door"})

    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["errors"] == {"Idempotency-Key": ["reused with a different request"]}
    assert things(db) == ["lamp"]


def test_requests_without_a_key_execute_every_time(client, db):
    assert post(client, {"name": "lamp"}, key=None).status_code == 201
    assert post(client, {"name": "door"}, key=None).status_code == 201

    assert things(db) == ["lamp", "door"]


def test_keys_are_scoped_per_caller(client, db, bearer):
    post(client, {"name": "lamp"}, key="shared-key")
    response = post(client, {"name": "door"}, key="shared-key", **bearer("li", OPERATOR))

    assert response.status_code == 201
    assert things(db) == ["lamp", "door"]


def test_a_4xx_failure_releases_the_key_so_a_retry_executes(client, db):
    with db.unit_of_work() as uow:
        uow.conn.execute(uow.table("things").insert().values(name="lamp", created_at=uow.now))
        uow.commit()

    refused = post(client, {"name": "lamp"})
    assert refused.status_code == 409

    with db.unit_of_work() as uow:
        uow.conn.execute(uow.table("things").delete())
        uow.commit()
    retried = post(client, {"name": "lamp"})

    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert things(db) == ["lamp"]


def test_invalid_input_is_not_remembered_under_the_key(client, db):
    assert post(client, {"size": 1}).status_code == 422
    assert post(client, {"size": 1}).status_code == 422  # executed again, not replayed

    assert post(client, {"name": "lamp", "size": 1}, key="key-2").status_code == 201


def test_a_concurrent_retry_while_the_first_is_in_progress_gets_409(app, client, db):
    seen = []

    def retry_during_first_request() -> None:
        if not seen:
            seen.append(None)  # the retry itself must not retry again
            seen[0] = post(app.test_client(), {"name": "lamp"})

    app.extensions["test.during_create"] = retry_during_first_request

    first = post(client, {"name": "lamp"})

    assert first.status_code == 201
    assert seen[0].status_code == 409
    assert seen[0].get_json()["code"] == 409
    assert things(db) == ["lamp"]


def test_a_claim_older_than_the_stale_limit_may_be_taken_over(app, client, db, clock):
    """A request that crashed without releasing its key must not block retries forever."""
    seen = []

    def retry_after_the_first_seems_dead() -> None:
        if not seen:
            seen.append(None)  # the retry itself must not retry again
            clock.advance(STALE_AFTER + timedelta(seconds=1))
            seen[0] = post(app.test_client(), {"name": "lamp"})

    app.extensions["test.during_create"] = retry_after_the_first_seems_dead

    first = post(client, {"name": "lamp"})

    assert seen[0].status_code == 201
    assert first.status_code == 409  # the original now finds the name taken by the takeover
    assert post(client, {"name": "lamp"}).headers["Idempotent-Replayed"] == "true"
    assert things(db) == ["lamp"]


@pytest.mark.parametrize("key", [" ", "k" * 201])
def test_blank_or_overlong_key_is_rejected(client, key):
    response = post(client, {"name": "lamp"}, key=key)

    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]


class ProcessKilled(BaseException):
    """Stands in for kill -9: no handler runs, nothing after the failing point happens."""


def test_a_crash_right_after_the_commit_leaves_the_answer_stored_with_the_change(client, db, clock, monkeypatch):
    """The stored answer commits with the change: a retry any time later replays it, never redoes it."""
    real_committed = db.committed

    def die_after_commit(**kwargs):
        monkeypatch.setattr(db, "committed", real_committed)
        raise ProcessKilled

    monkeypatch.setattr(db, "committed", die_after_commit)
    with pytest.raises(ProcessKilled):
        post(client, {"name": "lamp", "size": 2})
    clock.advance(STALE_AFTER + timedelta(seconds=1))

    retried = post(client, {"name": "lamp", "size": 2})

    assert retried.status_code == 201, retried.get_json()
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert retried.get_json() == {"id": 1, "name": "lamp", "size": 2}
    assert things(db) == ["lamp"]
    assert post(client, {"name": "door"}).status_code == 422  # the key still refuses another body


def test_a_crash_before_the_commit_leaves_neither_change_nor_answer(app, client, db, clock):
    def die_inside_the_view() -> None:
        raise ProcessKilled

    app.extensions["test.during_create"] = die_inside_the_view
    with pytest.raises(ProcessKilled):
        post(client, {"name": "lamp"})
    del app.extensions["test.during_create"]

    assert post(client, {"name": "lamp"}).status_code == 201
    assert things(db) == ["lamp"]


def test_a_stored_answer_is_not_replayed_after_the_ttl_and_the_key_starts_afresh(client, db, clock, count_rows):
    """Answers hold personal data: after DUBAN_IDEMPOTENCY_TTL_HOURS (24 by default) they are gone."""
    assert post(client, {"name": "lamp"}).status_code == 201
    clock.advance(timedelta(hours=23, minutes=59))
    assert post(client, {"name": "lamp"}).headers["Idempotent-Replayed"] == "true"
    clock.advance(timedelta(minutes=2))

    reused = post(client, {"name": "door"})  # another body under the old key: no longer a mismatch

    assert reused.status_code == 201 and "Idempotent-Replayed" not in reused.headers
    assert things(db) == ["lamp", "door"]


def test_purge_deletes_answers_older_than_the_ttl_only(client, db, clock, count_rows):
    from shared.idempotency import purge_expired

    post(client, {"name": "lamp"}, key="old")
    clock.advance(timedelta(hours=25))
    post(client, {"name": "door"}, key="new")

    assert purge_expired(db, timedelta(hours=24)) == 1
    assert count_rows(db, "idempotency_keys") == 1


def test_the_ttl_comes_from_the_settings(db, tokens, clock):
    from shared.settings import Settings
    from shared.web import create_service_app
    from tests.shared.conftest import _things_blueprint

    app, api = create_service_app("test", Settings(idempotency_ttl_hours=1), title="t", tokens=tokens,
                                  context=SimpleNamespace(db=db))
    api.register_blueprint(_things_blueprint())
    client = app.test_client()
    post(client, {"name": "lamp"})
    clock.advance(timedelta(hours=1, seconds=1))

    assert "Idempotent-Replayed" not in post(client, {"name": "lamp"}).headers
    assert Settings.from_env({"DUBAN_IDEMPOTENCY_TTL_HOURS": "6"}).idempotency_ttl_hours == 6


def test_a_slow_request_whose_claim_a_retry_took_over_does_not_commit_its_work(app, client, db, clock):
    """Past STALE_AFTER a retry may take the key over; the slow original then must not write a second time."""
    table = db.metadata.tables["idempotency_keys"]

    def a_retry_takes_the_key_over() -> None:
        clock.advance(STALE_AFTER + timedelta(seconds=1))
        with db.engine.begin() as conn:  # what the retry's _claim does on another worker
            conn.execute(table.update().values(created_at=clock.now()))

    app.extensions["test.during_create"] = a_retry_takes_the_key_over

    slow = post(client, {"name": "lamp"})

    assert slow.status_code == 409, slow.get_json()
    assert things(db) == []  # the retry's own run is the one that counts
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 1  # its claim stays
