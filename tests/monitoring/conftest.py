"""Fixtures for the monitoring service: the app on a copy of a migrated SQLite file, a manual clock on a
Monday in Beijing, hotline events delivered through the real consumer, and bearer tokens per role.

The database is migrated once per session into a template; each test copies the file.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from gateway.registry import PARTS
from services.monitoring import create_app
from services.monitoring.handlers import Monitoring
from shared.auth import Principal, TokenService
from shared.bootstrap import Environment
from shared.bus.consumer import Consumer
from shared.bus.envelope import Event
from shared.calendar import TimeLimit, WorkCalendar
from shared.clock import ManualClock
from shared.events.clocks import ClockCommand, ClockStarted
from shared.keys import KeyRing
from shared.migrations import upgrade
from shared.settings import Settings
from tests.monitoring.moments import SHANGHAI

START = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # Monday, a working day
API = "/api/monitoring/v1"
DEPARTMENTS = {"zjj": "市住房和城乡建设局", "cgj": "市城市管理综合执法局", "sthj": "市生态环境局",
               "jtj": "市交通运输局", "scjg": "市市场监督管理局"}


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("monitoring-template") / "monitoring.db"
    upgrade("services.monitoring", f"sqlite:///{path}")
    return path


@pytest.fixture
def settings(tmp_path: Path, template_db: Path) -> Settings:
    shutil.copy(template_db, tmp_path / "monitoring.db")
    return Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def tokens() -> TokenService:
    return TokenService(KeyRing.generate())


@pytest.fixture
def app(settings: Settings, tokens: TokenService, clock: ManualClock, calendar: WorkCalendar) -> Iterator[Flask]:
    app = create_app(Environment(settings, clock, calendar), tokens=tokens, run_migrations=False)
    yield app
    app.extensions["duban.context"].db.dispose()


@pytest.fixture
def monitoring(app: Flask) -> Monitoring:
    return app.extensions["duban.context"]  # type: ignore[no-any-return]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def bearer(tokens: TokenService) -> Callable[..., dict[str, str]]:
    """``bearer(*roles, departments=(...))`` → Authorization headers for a made-up user."""

    def make(*roles: str, departments: tuple[str, ...] = ()) -> dict[str, str]:
        principal = Principal(f"u-{uuid.uuid4().hex[:8]}", frozenset(roles), frozenset(departments))
        # PyJWT checks expiry against the wall clock, not the ManualClock.
        return {"Authorization": f"Bearer {tokens.issue(principal, now=datetime.now(UTC))}"}

    return make


@pytest.fixture
def deliver(app: Flask, clock: ManualClock) -> Callable[..., Event]:
    """``deliver(type, data, at=None, message_id=None)`` → hand one event to the consumer, as the bus would."""
    context = app.extensions["duban.context"]
    consumer = Consumer(context.db, "monitoring", PARTS["monitoring"].subscriptions(context))

    def send(type_: str, data: dict[str, Any], *, at: datetime | None = None,
             message_id: str | None = None) -> Event:
        event = Event(type=type_, data=data, occurred_at=at or clock.now(), producer=type_.split(".")[0])
        consumer.handle(message_id or event.id, type_, event.to_json())
        return event

    return send


@pytest.fixture
def directory(deliver: Callable[..., Event]) -> dict[str, str]:
    """The departments replicated from the gateway's directory."""
    for code, name in DEPARTMENTS.items():
        deliver("gateway.department.upserted", {"code": code, "name": name, "kind": "bureau", "utility": False,
                                                "active": True})
    return DEPARTMENTS


@pytest.fixture
def command(deliver: Callable[..., Event], clock: ManualClock) -> Callable[..., Event]:
    """``command(ClockStopped, ticket_id, "sign", at=None, **fields)`` → deliver one clock-contract command
    about a hotline ticket, as the hotline publishes it (``hotline.clock.<verb>``)."""

    def send(cls: type[ClockCommand], ticket_id: str, kind: str | None, *, at: datetime | None = None,
             key: str | None = None, message_id: str | None = None, service: str = "hotline",
             **fields: Any) -> Event:
        at = at or clock.now()
        data = cls(key=key or uuid.uuid4().hex, subject_service=fields.pop("subject_service", service),
                   subject_kind="ticket",
                   subject_id=ticket_id, subject_ref=fields.pop("ref", ""), kind=kind, at=at, **fields).to_data()
        return deliver(cls.routing_key(service), data, at=at, message_id=message_id)

    return send


@pytest.fixture
def dispatch(command: Callable[..., Event], clock: ManualClock, calendar: WorkCalendar) -> Callable[..., str]:
    """``dispatch(lead="zjj", ticket_id=None, at=None, handle=TimeLimit.workdays(5))`` → a ticket id whose
    sign and handle clocks were started, with due times computed as the hotline does."""

    def send(lead: str = "zjj", ticket_id: str | None = None, *, at: datetime | None = None,
             sign: TimeLimit = TimeLimit.workdays(1), handle: TimeLimit = TimeLimit.workdays(5),
             key: str | None = None) -> str:
        ticket_id = ticket_id or str(uuid.uuid4())
        at = at or clock.now()
        ref = f"20261102{uuid.uuid4().int % 1_000_000:06d}"
        for kind, limit in (("sign", sign), ("handle", handle)):
            command(ClockStarted, ticket_id, kind, at=at, ref=ref, department=lead, limit_amount=limit.amount,
                    limit_unit=limit.unit.value, due_at=calendar.due(at, limit).due_at,
                    key=f"{key}:{kind}" if key else None)
        return ticket_id

    return send


@pytest.fixture
def rows(monitoring: Monitoring) -> Callable[..., list[Any]]:
    """``rows(table, *where)`` → the rows of one table of the monitoring database."""

    def read(table: str, *where: Any) -> list[Any]:
        t = monitoring.db.metadata.tables[table]
        with monitoring.db.read() as conn:
            return list(conn.execute(sa.select(t).where(sa.true(), *where)).all())

    return read


@pytest.fixture
def counts(monitoring: Monitoring) -> Callable[[], dict[str, int]]:
    """Row counts of everything a command may write (to prove a refused one wrote nothing)."""

    def count() -> dict[str, int]:
        with monitoring.db.read() as conn:
            return {name: int(conn.execute(sa.select(sa.func.count()).select_from(
                monitoring.db.metadata.tables[name])).scalar_one())
                for name in ("clocks", "cards", "warnings", "approvals", "outbox", "audit_log")}

    return count


