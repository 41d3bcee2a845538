"""The gateway's tables and its repository functions (SQLAlchemy Core, one connection passed in)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from gateway.model import Department, DepartmentKind, User
from shared.calendar_store import add_calendar_years
from shared.errors import Conflict
from shared.repository import Repository
from shared.rules_store import add_rules_versions
from shared.tables import UtcDateTime, add_common_tables

metadata = sa.MetaData()
add_common_tables(metadata)
# The holiday years an admin entered (gateway/calendar_years.py owns them; services replicate them).
calendar_years = add_calendar_years(metadata)
rules_versions = add_rules_versions(metadata)  # the rules the admin published (the replicas' source)

departments = sa.Table(
    "departments", metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("utility", sa.Boolean, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # Two units with one name would be indistinguishable to a dispatcher picking from a list.
    sa.UniqueConstraint("name", name="uq_departments_name"),
)

users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

user_roles = sa.Table(
    "user_roles", metadata,
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("role", sa.String(20), primary_key=True),
)

user_departments = sa.Table(
    "user_departments", metadata,
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("department_code", sa.String(32), sa.ForeignKey("departments.code"), primary_key=True),
    sa.Index("ix_user_departments_department", "department_code"),
)


# -- departments --------------------------------------------------------------------------------
def _department(row: Row) -> Department:
    return Department(code=row.code, name=row.name, kind=DepartmentKind(row.kind),
                      utility=bool(row.utility), active=bool(row.active))


def _active_filter(query: sa.Select, active: bool | None) -> sa.Select:
    return query if active is None else query.where(departments.c.active == active)


def get_department(conn: Connection, code: str) -> Department | None:
    row = conn.execute(sa.select(departments).where(departments.c.code == code)).one_or_none()
    return None if row is None else _department(row)


def department_named(conn: Connection, name: str) -> Department | None:
    row = conn.execute(sa.select(departments).where(departments.c.name == name)).one_or_none()
    return None if row is None else _department(row)


def list_departments(conn: Connection, *, active: bool | None = None, offset: int = 0,
                     limit: int | None = None) -> list[Department]:
    """Departments ordered by code; ``active`` filters, ``None`` returns all."""
    query = _active_filter(sa.select(departments), active).order_by(departments.c.code)
    query = query.offset(offset).limit(limit)
    return [_department(row) for row in conn.execute(query)]


def count_departments(conn: Connection, *, active: bool | None = None) -> int:
    query = _active_filter(sa.select(sa.func.count()).select_from(departments), active)
    return int(conn.execute(query).scalar_one())


def existing_department_codes(conn: Connection, codes: Iterable[str]) -> set[str]:
    wanted = list(codes)
    if not wanted:
        return set()
    query = sa.select(departments.c.code).where(departments.c.code.in_(wanted))
    return set(conn.execute(query).scalars())


class DepartmentRepository(Repository):
    """Stores departments; a stored new or changed department announces itself (its events)."""

    def add(self, department: Department, *, now: datetime) -> None:
        """Insert; a duplicate code or name that raced past the handler's check becomes a 409."""
        values = {**department.to_dict(), "created_at": now, "updated_at": now}
        try:
            self.conn.execute(departments.insert().values(**values))
        except IntegrityError as exc:
            raise Conflict("单位编码或名称已存在 / department code or name already exists") from exc
        self.seen(department)

    def save(self, department: Department, *, now: datetime) -> None:
        values = {**department.to_dict(), "updated_at": now}
        del values["code"]
        try:
            self.conn.execute(departments.update().where(departments.c.code == department.code)
                              .values(**values))
        except IntegrityError as exc:
            raise Conflict("单位名称已存在 / department name already exists") from exc
        self.seen(department)


# -- users --------------------------------------------------------------------------------------
def _users(conn: Connection, rows: Sequence[Row]) -> list[User]:
    names = [row.username for row in rows]
    roles: dict[str, list[str]] = defaultdict(list)
    depts: dict[str, list[str]] = defaultdict(list)
    if names:
        for username, role in conn.execute(
                sa.select(user_roles.c.username, user_roles.c.role).where(user_roles.c.username.in_(names))):
            roles[username].append(role)
        for username, code in conn.execute(
                sa.select(user_departments.c.username, user_departments.c.department_code)
                .where(user_departments.c.username.in_(names))):
            depts[username].append(code)
    return [User(username=row.username, display_name=row.display_name, password_hash=row.password_hash,
                 roles=tuple(sorted(roles[row.username])), departments=tuple(sorted(depts[row.username])),
                 active=bool(row.active), created_at=row.created_at)
            for row in rows]


def get_user(conn: Connection, username: str) -> User | None:
    rows = conn.execute(sa.select(users).where(users.c.username == username)).all()
    found = _users(conn, rows)
    return found[0] if found else None


def list_users(conn: Connection, *, offset: int = 0, limit: int | None = None) -> list[User]:
    rows = conn.execute(sa.select(users).order_by(users.c.username).offset(offset).limit(limit)).all()
    return _users(conn, rows)


def count_users(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())


def existing_usernames(conn: Connection, usernames: Iterable[str]) -> set[str]:
    wanted = list(usernames)
    if not wanted:
        return set()
    return set(conn.execute(sa.select(users.c.username).where(users.c.username.in_(wanted))).scalars())


def insert_user(conn: Connection, user: User) -> None:
    try:
        conn.execute(users.insert().values(
            username=user.username, display_name=user.display_name, password_hash=user.password_hash,
            active=user.active, created_at=user.created_at, updated_at=user.created_at))
    except IntegrityError as exc:
        raise Conflict("用户名已存在 / username already exists", {"username": ["taken"]}) from exc
    if user.roles:
        conn.execute(user_roles.insert(), [{"username": user.username, "role": r} for r in user.roles])
    if user.departments:
        conn.execute(user_departments.insert(),
                     [{"username": user.username, "department_code": c} for c in user.departments])


def replace_password_hash(conn: Connection, username: str, *, old: str, new: str, now: datetime) -> bool:
    """Swap the hash only if it is still ``old``, so a rehash never undoes a concurrent password change."""
    result = conn.execute(users.update()
                          .where(users.c.username == username, users.c.password_hash == old)
                          .values(password_hash=new, updated_at=now))
    return result.rowcount == 1


# -- web sessions (gateway/ui/sessions.py) -------------------------------------------------------------
# The browser holds only a random session id; the row (keyed by its hash) holds the access token.
ui_sessions = sa.Table(
    "ui_sessions", metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Index("ix_ui_sessions_expires_at", "expires_at"),
)


def load_ui_session(conn: Connection, id_hash: str) -> tuple[str, datetime] | None:
    row = conn.execute(sa.select(ui_sessions.c.data, ui_sessions.c.expires_at)
                       .where(ui_sessions.c.id_hash == id_hash)).one_or_none()
    return None if row is None else (row.data, row.expires_at)


def save_ui_session(conn: Connection, id_hash: str, *, data: str, expires_at: datetime) -> None:
    updated = conn.execute(ui_sessions.update().where(ui_sessions.c.id_hash == id_hash)
                           .values(data=data, expires_at=expires_at))
    if updated.rowcount == 0:
        conn.execute(ui_sessions.insert().values(id_hash=id_hash, data=data, expires_at=expires_at))


def delete_ui_sessions(conn: Connection, *, id_hash: str | None = None, expired_before: datetime | None = None) -> None:
    """Delete one session, or every session that expired before a time."""
    if id_hash is not None:
        conn.execute(ui_sessions.delete().where(ui_sessions.c.id_hash == id_hash))
    if expired_before is not None:
        conn.execute(ui_sessions.delete().where(ui_sessions.c.expires_at < expired_before))
