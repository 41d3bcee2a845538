"""Fixtures for the hotline's service tests: the embedded suite on SQLite files, a manual clock
starting on a Monday working day in Beijing, the demo directory replicated into the hotline, and a
``desk`` that drives the hotline as the demo users, over HTTP (``act``) or through the use cases
(``run``, for setting a scene).

The suite is migrated and seeded once per session into a template folder; each test copies the
SQLite files (migrating and seeding from scratch measured ~0.35 s a test; from a copy ~0.1 s).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from gateway import demo
from gateway.embedded import Suite, create_suite
from gateway.handlers import seed_demo
from services.hotline import handlers
from services.hotline import schemas as s
from services.hotline.handlers import Hotline
from services.hotline.model import Ticket
from shared.auth import Principal
from shared.clock import ManualClock
from shared.db import Database
from shared.schemas import NoteSchema, ReasonSchema
from shared.settings import Settings
from tests.passwords import fast_passwords

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)  # Monday, a working day
TICKETS = "/api/hotline/v1/tickets"

# A valid body for each transition endpoint, so a test can vary one thing at a time.
ACTION_BODIES: dict[str, dict[str, Any] | None] = {
    "answer": {"content": "已告知办理渠道和所需材料"},
    "legal-channel": {"channel": "litigation", "content": "属于民事纠纷，建议向人民法院起诉"},
    "transfer": {"service": "110", "note": "转公安110处置"},
    "dispatch": {"lead_department": "zjj", "co_departments": ["cgj"]},
    "sign": None,
    "return": {"reason": "不属于本单位职责范围，应由区政府处理"},
    "return/review": {"accept": False, "comment": "属于本单位职责，请继续办理"},
    "extension": {"days": 3, "reason": "需要多部门现场会商，申请延期"},
    "extension/review": {"approve": True, "comment": "同意延期"},
    "urge": {"note": "请加快办理进度"},
    "assist": {"content": "协办单位已配合现场核查"},
    "reply": {"content": "经现场核查，已责令整改并持续巡查"},
    "callback": {"satisfaction": "satisfied", "note": "市民认可"},
    "close": {"reason": "三次回访均无法联系来电人"},
    "merge": {"into": ""},  # the master ticket is filled in by the test
}

# Who normally performs each action on a ticket dispatched to zjj with cgj as co-department.
ACTION_USERS = {
    "answer": "operator", "legal-channel": "operator", "transfer": "operator", "dispatch": "dispatcher",
    "sign": "dept-zjj", "return": "dept-zjj", "return/review": "dispatcher", "extension": "dept-zjj",
    "extension/review": "dispatcher", "urge": "dispatcher", "assist": "dept-cgj", "reply": "dept-zjj",
    "callback": "dispatcher", "close": "dispatcher", "merge": "dispatcher",
}

# The use case and request schema behind each endpoint (as services/hotline/api.py wires them).
ACTION_HANDLERS: dict[str, tuple[Callable[..., Ticket], type[ma.Schema] | None]] = {
    "answer": (handlers.answer, s.ContentSchema),
    "legal-channel": (handlers.answer_legal_channel, s.LegalChannelSchema),
    "transfer": (handlers.transfer, s.TransferSchema),
    "dispatch": (handlers.dispatch, s.DispatchSchema),
    "sign": (handlers.sign, None),
    "return": (handlers.request_return, ReasonSchema),
    "return/review": (handlers.review_return, s.ReturnReviewSchema),
    "extension": (handlers.request_extension, s.ExtensionSchema),
    "extension/review": (handlers.review_extension, s.ExtensionReviewSchema),
    "urge": (handlers.urge, NoteSchema),
    "assist": (handlers.assist, s.ContentSchema),
    "reply": (handlers.reply, s.ContentSchema),
    "callback": (handlers.record_callback, s.CallbackSchema),
    "close": (handlers.close, ReasonSchema),
    "merge": (handlers.merge, s.MergeSchema),
}

DEMO_PRINCIPALS = {u.username: Principal(u.username, frozenset(u.roles), frozenset(u.departments),
                                         u.display_name) for u in demo.users()}


def suite_settings(directory: Path, **overrides: Any) -> Settings:
    return Settings(data_dir=directory, background_workers=False,
                    log_level="WARNING", **overrides)


@dataclass(frozen=True)
class Stored:
    """What the hotline database holds for one ticket (to prove a refused command changed nothing)."""

    status: str
    version: int
    timeline: int
    lead_department: str | None


@dataclass
class Desk:
    """The hotline of an embedded suite, driven as the demo users."""

    suite: Suite
    clock: ManualClock
    settings: Settings

    @property
    def app(self) -> Flask:
        return self.suite.apps["hotline"]

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()

    @property
    def db(self) -> Database:
        return self.suite.databases["hotline"]

    @property
    def hotline(self) -> Hotline:
        return self.app.extensions["duban.context"]  # type: ignore[no-any-return]

    # -- who ---------------------------------------------------------------------------------
    def principal(self, user: str | Principal) -> Principal:
        return user if isinstance(user, Principal) else DEMO_PRINCIPALS[user]

    def headers(self, user: str | Principal | None) -> dict[str, str]:
        """A bearer token issued now (on the suite's clock, which also checks expiry)."""
        if user is None:
            return {}
        token = self.suite.tokens.issue(self.principal(user), now=self.clock.now())
        return {"Authorization": f"Bearer {token}"}

    # -- HTTP --------------------------------------------------------------------------------
    def get(self, path: str, user: str | Principal | None, **query: Any) -> TestResponse:
        return self.client.get(path, query_string=query, headers=self.headers(user))

    def post(self, path: str, user: str | Principal | None, body: Any = None,
             headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.post(path, json=body, headers={**self.headers(user), **(headers or {})})

    def file(self, user: str | Principal = "operator", **fields: Any) -> dict[str, Any]:
        """File a ticket over HTTP (a distinct title each time unless given) and return its JSON."""
        body = {"type": "complaint", "urgency": "general", "channel": "phone",
                "title": f"噪音扰民投诉{uuid.uuid4().hex[:6]}", "content": "夜间施工噪音影响休息，请求处理",
                "caller": {"name": "张三", "phone": f"139{uuid.uuid4().int % 10**8:08d}"},
                "address": "东城区和平路12号"}
        body.update(fields)
        response = self.post(TICKETS, user, body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()  # type: ignore[no-any-return]

    def body(self, action: str, **changes: Any) -> dict[str, Any] | None:
        default = ACTION_BODIES[action]
        return None if default is None and not changes else {**(default or {}), **changes}

    def user_for(self, action: str) -> str:
        """The demo user who normally performs ``action``."""
        return ACTION_USERS[action]

    def act(self, ticket_id: str, action: str, user: str | Principal | None = None,
            body: dict[str, Any] | None = None, **changes: Any) -> TestResponse:
        """POST a transition with its default body (``changes`` override fields of it)."""
        actor = ACTION_USERS[action] if user is None else user
        return self.post(f"{TICKETS}/{ticket_id}/{action}", actor,
                         self.body(action, **changes) if body is None else body)

    def do(self, ticket_id: str, action: str, user: str | Principal | None = None,
           body: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
        """``act`` that must succeed; returns the ticket from the response."""
        response = self.act(ticket_id, action, user, body, **changes)
        assert response.status_code == 200, (action, response.get_json())
        return response.get_json()  # type: ignore[no-any-return]

    def run(self, ticket_id: str, action: str, user: str | Principal | None = None, **changes: Any) -> Ticket:
        """Perform a transition through its use case, as the endpoint would after checking roles."""
        handler, schema = ACTION_HANDLERS[action]
        body = self.body(action, **changes)
        data = schema().load(body) if schema is not None else {}
        actor = ACTION_USERS[action] if user is None else user
        return handler(self.hotline, principal=self.principal(actor), ticket_id=ticket_id, **data)

    def ticket(self, ticket_id: str, user: str | Principal = "dispatcher") -> dict[str, Any]:
        response = self.get(f"{TICKETS}/{ticket_id}", user)
        assert response.status_code == 200, response.get_json()
        return response.get_json()  # type: ignore[no-any-return]

    def in_status(self, status: str, **fields: Any) -> str:
        """A new ticket brought to ``status`` (lead zjj, co-department cgj); returns its id."""
        ticket_id: str = self.file(**fields)["id"]
        if status == "received":
            return ticket_id
        self.run(ticket_id, "dispatch")
        if status == "merged":
            self.run(ticket_id, "merge", into=self.file()["id"])
            return ticket_id
        if status == "return_requested":
            self.run(ticket_id, "return")
            return ticket_id
        if status == "dispatched":
            return ticket_id
        self.run(ticket_id, "sign")
        if status == "signed":
            return ticket_id
        self.run(ticket_id, "reply")
        if status == "replied":
            return ticket_id
        if status == "reopened":
            self.run(ticket_id, "callback", satisfaction="dissatisfied", justified=True)
            return ticket_id
        assert status == "closed", status
        self.run(ticket_id, "callback")
        return ticket_id

    # -- the database ------------------------------------------------------------------------
    def table(self, name: str) -> sa.Table:
        return self.db.metadata.tables[name]

    def stored(self, ticket_id: str) -> Stored:
        t, tl = self.table("tickets"), self.table("ticket_timeline")
        with self.db.read() as conn:
            row = conn.execute(sa.select(t.c.status, t.c.version, t.c.lead_department)
                               .where(t.c.id == ticket_id)).one()
            entries = conn.execute(sa.select(sa.func.count()).select_from(tl)
                                   .where(tl.c.ticket_id == ticket_id)).scalar_one()
        return Stored(row.status, row.version, entries, row.lead_department)

    def count(self, table: str) -> int:
        with self.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(self.table(table))).scalar_one())

    def counts(self) -> dict[str, int]:
        """Row counts of everything a command may write."""
        return {name: self.count(name) for name in
                ("tickets", "ticket_timeline", "ticket_keywords", "ticket_departments", "ticket_sequences",
                 "outbox", "audit_log", "idempotency_keys")}

    def rows(self, table: str, *where: Any, order_by: str | None = None) -> list[Any]:
        t = self.table(table)
        query = sa.select(t).where(sa.true(), *where)
        if order_by:
            query = query.order_by(t.c[order_by])
        with self.db.read() as conn:
            return list(conn.execute(query).all())

    def last_seq(self, table: str) -> int:
        """The highest ``seq`` of the outbox or the audit log (0 when empty)."""
        t = self.table(table)
        with self.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.seq), 0))).scalar_one())

    def outbox_keys(self, after_seq: int = 0) -> list[str]:
        t = self.table("outbox")
        return [r.routing_key for r in self.rows("outbox", t.c.seq > after_seq, order_by="seq")]

    def audit_rows(self, after_seq: int = 0) -> list[Any]:
        t = self.table("audit_log")
        return self.rows("audit_log", t.c.seq > after_seq, order_by="seq")


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated gateway and hotline databases with the demo directory replicated into the hotline."""
    directory = tmp_path_factory.mktemp("hotline-template")
    settings = suite_settings(directory)
    suite = create_suite(settings, clock=ManualClock(START), overrides={"gateway": {"passwords": fast_passwords()}})
    try:
        seed_demo(suite.contexts["gateway"])
        suite.runtime.run_until_idle()
    finally:
        suite.close()
    return directory


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def make_desk(tmp_path: Path, template_dir: Path, clock: ManualClock) -> Iterator[Callable[..., Desk]]:
    """``make_desk(**settings_overrides)`` → a desk on a fresh copy of the template databases."""
    suites: list[Suite] = []

    def make(**overrides: Any) -> Desk:
        directory = tmp_path / f"suite-{len(suites)}"
        shutil.copytree(template_dir, directory)
        settings = suite_settings(directory, **overrides)
        suite = create_suite(settings, clock=clock)
        suites.append(suite)
        return Desk(suite, clock, settings)

    yield make
    for suite in suites:
        suite.close()


@pytest.fixture
def desk(make_desk: Callable[..., Desk]) -> Desk:
    return make_desk()


@pytest.fixture(scope="module")
def shared_desk(tmp_path_factory: pytest.TempPathFactory, template_dir: Path) -> Iterator[Desk]:
    """One desk for a module's table-driven tests, which each make their own tickets and leave the
    clock alone (saves building a suite per row)."""
    directory = tmp_path_factory.mktemp("shared-suite") / "data"
    shutil.copytree(template_dir, directory)
    settings, clock = suite_settings(directory), ManualClock(START)
    suite = create_suite(settings, clock=clock)
    yield Desk(suite, clock, settings)
    suite.close()


# Helpers are handed out as fixtures: test folders are not packages, so conftest is not importable.
@pytest.fixture
def at() -> Callable[..., datetime]:
    """``at(2026, 9, 30, 10)`` → that wall-clock time in Beijing."""

    def make(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
        return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)

    return make


@pytest.fixture
def instant() -> Callable[[str | None], datetime]:
    """``instant("2026-10-09T00:00:00+08:00")`` → an aware datetime; refuses a value without offset."""

    def parse(text: str | None) -> datetime:
        assert text is not None
        value = datetime.fromisoformat(text)
        assert value.utcoffset() is not None, f"{text} has no UTC offset"
        return value

    return parse
