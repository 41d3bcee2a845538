"""Fixtures for the gateway's service tests: an app on a fresh SQLite file, fast argon2, a manual clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from gateway import Directory, create_app, handlers
from gateway.model import User
from gateway.passwords import Passwords
from shared.appcontext import service_context, service_db
from shared.auth import ADMIN, Principal, TokenService
from shared.bootstrap import Environment
from shared.clock import ManualClock
from shared.db import Database
from shared.settings import Settings
from tests.passwords import fast_passwords

PASSWORD = "correct horse battery"  # the password of users made by ``make_user``


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    return Settings(data_dir=tmp_path, background_workers=False)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))


@pytest.fixture
def passwords() -> Passwords:
    return fast_passwords()


@pytest.fixture
def app(settings: Settings, clock: ManualClock, passwords: Passwords) -> Iterator[Flask]:
    app = create_app(Environment(settings, clock), passwords=passwords)
    yield app
    service_db(app).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Database:
    return service_db(app)


@pytest.fixture
def directory(app: Flask) -> Directory:
    """The gateway's context the app was built around (database, settings, password hashing)."""
    return service_context(app)  # type: ignore[no-any-return]


@pytest.fixture
def tokens(app: Flask) -> TokenService:
    return app.extensions["duban.tokens"]  # type: ignore[no-any-return]


@pytest.fixture
def bearer(tokens: TokenService, clock: ManualClock) -> Any:
    """``bearer(*roles, departments=...)`` → an Authorization header for a made-up user."""

    def make(*roles: str, departments: tuple[str, ...] = ()) -> dict[str, str]:
        principal = Principal(username=f"u-{uuid.uuid4().hex[:8]}", roles=frozenset(roles),
                              departments=frozenset(departments))
        return {"Authorization": f"Bearer {tokens.issue(principal, now=clock.now())}"}

    return make


@pytest.fixture
def admin(bearer: Any) -> dict[str, str]:
    return bearer(ADMIN)  # type: ignore[no-any-return]


@pytest.fixture
def make_user(directory: Directory) -> Any:
    """``make_user(roles=(...), ...)`` → a stored user whose password is ``PASSWORD``."""

    def make(*, roles: tuple[str, ...], username: str | None = None, departments: tuple[str, ...] = (),
             active: bool = True, password: str = PASSWORD) -> User:
        return handlers.create_user(directory, actor="test", active=active,
                                    username=username or f"user-{uuid.uuid4().hex[:8]}",
                                    display_name="测试用户", password=password, roles=roles,
                                    departments=departments)

    return make


@pytest.fixture
def make_department(directory: Directory) -> Any:
    """``make_department(code=None, **fields)`` → the code of a stored department."""

    def make(code: str | None = None, **fields: Any) -> str:
        code = code or f"d{uuid.uuid4().hex[:8]}"
        fields.setdefault("name", f"测试单位{code}")
        fields.setdefault("kind", "bureau")
        handlers.create_department(directory, actor="test", code=code, **fields)
        return code

    return make


@pytest.fixture
def table_rows(db: Database) -> Any:
    """``table_rows(name)`` → every row of one table of the gateway database."""

    def read(table: str) -> list[Any]:
        with db.read() as conn:
            return list(conn.execute(sa.select(db.metadata.tables[table])).all())

    return read
