"""Fixtures for the shared library: SQLite service databases with a toy ``things`` table, a manual
clock, and a small service app built the way every real service builds its own."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, current_app, request
from flask.testing import FlaskClient
from marshmallow import Schema, fields, validate

from shared.appcontext import service_db
from shared.auth import INSPECTOR, Principal, TokenService, current_principal, requires
from shared.clock import ManualClock, SystemClock
from shared.db import Database
from shared.errors import Conflict
from shared.idempotency import idempotent
from shared.keys import KeyRing
from shared.settings import Settings
from shared.tables import UtcDateTime, add_common_tables
from shared.uow import GENESIS_HASH
from shared.web import Blueprint, create_service_app

START = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)  # a Monday morning in Beijing


def make_metadata() -> sa.MetaData:
    """The common tables plus ``things``, standing in for a service's own tables."""
    metadata = sa.MetaData()
    add_common_tables(metadata)
    sa.Table(
        "things", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("size", sa.Integer),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    return metadata


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def make_db(tmp_path: Any, clock: ManualClock) -> Iterator[Callable[[str], Database]]:
    """Open a fresh service database under tmp_path, created as the initial migration does."""
    opened: list[Database] = []

    def make(service: str) -> Database:
        db = Database(f"sqlite:///{tmp_path / f'{service}-{uuid.uuid4().hex[:8]}.db'}",
                      service=service, metadata=make_metadata(), clock=clock)
        db.metadata.create_all(db.engine)
        with db.engine.begin() as conn:
            conn.execute(db.metadata.tables["audit_head"].insert().values(id=1, seq=0, hash=GENESIS_HASH))
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.dispose()


@pytest.fixture
def db(make_db: Callable[[str], Database]) -> Database:
    return make_db("alpha")


def _insert_thing(uow: Any, name: str, size: int | None = None) -> int:
    """Insert one thing with its audit record, the way a handler would."""
    things = uow.table("things")
    thing_id = uow.conn.execute(things.insert().values(name=name, size=size, created_at=uow.now)
                                .returning(things.c.id)).scalar_one()
    uow.audit("thing.created", "thing", str(thing_id), before=None, after={"name": name, "size": size})
    return int(thing_id)


def _count_rows(db: Database, table: str) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(db.metadata.tables[table]))
                   .scalar_one())


# Helpers are handed out as fixtures: test folders have no packages, so importing conftest by name
# would clash with other folders' conftest modules.
@pytest.fixture
def insert_thing() -> Callable[..., int]:
    return _insert_thing


@pytest.fixture
def count_rows() -> Callable[[Database, str], int]:
    return _count_rows


# -- a small service app ------------------------------------------------------------------------

class ThingCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    size = fields.Integer(load_default=None)


class ThingReadSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    size = fields.Integer(allow_none=True)


def _things_blueprint() -> Blueprint:
    blp = Blueprint("things", __name__, url_prefix="/api/test/v1")

    @blp.route("/things", methods=["POST"])
    @idempotent
    @blp.arguments(ThingCreateSchema)
    @blp.response(201, ThingReadSchema)
    def create_thing(data: dict[str, Any]) -> dict[str, Any]:
        # Lets a test act while the key is claimed, e.g. send the same request again.
        hook = current_app.extensions.get("test.during_create")
        if hook is not None:
            hook()
        principal = current_principal()
        db = service_db()
        with db.unit_of_work(actor=principal.actor if principal else "anonymous") as uow:
            things = uow.table("things")
            if uow.conn.execute(sa.select(things.c.id).where(things.c.name == data["name"])).first():
                raise Conflict("名称已存在 / name taken", {"name": ["already exists"]})
            thing_id = _insert_thing(uow, data["name"], data["size"])
            uow.publish("test.thing.created", {"id": thing_id, "name": data["name"]})
            uow.commit()
        return {"id": thing_id, **data}

    @blp.route("/inspections", methods=["GET"])
    @requires(INSPECTOR)
    def inspections() -> dict[str, Any]:
        principal = current_principal()
        assert principal is not None
        return {"username": principal.username}

    @blp.route("/conflict", methods=["POST"])
    def conflict() -> None:
        raise Conflict("工单已办结 / ticket already closed", {"status": ["closed"]})

    @blp.route("/boom", methods=["GET"])
    def boom() -> None:
        raise RuntimeError(f"connection string postgresql://secret@db/{request.path}")

    return blp


@pytest.fixture
def tokens() -> TokenService:
    return TokenService(KeyRing.generate())


@pytest.fixture
def bearer(tokens: TokenService) -> Callable[..., dict[str, str]]:
    """Authorization headers for a user holding ``roles``.

    Issued at the wall-clock time because PyJWT checks expiry against the wall clock.
    """

    def headers(username: str, *roles: str) -> dict[str, str]:
        token = tokens.issue(Principal(username, frozenset(roles)), now=SystemClock().now())
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def app(db: Database, tokens: TokenService) -> Flask:
    app, api = create_service_app("test", Settings(), title="Test service", tokens=tokens,
                                  context=SimpleNamespace(db=db))
    api.register_blueprint(_things_blueprint())
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
