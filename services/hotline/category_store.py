"""The category table and the use cases of the taxonomy: read, maintain (directory admin), seed."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from services.hotline.categories import Attribute, Category
from services.hotline.rules import TicketType
from shared.db import Database
from shared.directory import require_active
from shared.errors import InvalidInput, NotFound
from shared.jsonutil import dumps
from shared.tables import UtcDateTime

_NOT_FOUND = "分类不存在 / no such category"


def category_columns() -> list[sa.Column[Any]]:
    """The columns of ``categories`` (the table and its migration, 0004)."""
    return [
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("group_name", sa.String(40), nullable=False),
        sa.Column("keywords", sa.Text, nullable=False, server_default="[]"),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("department", sa.String(50)),
        sa.Column("ticket_type", sa.String(20), nullable=False),
        sa.Column("utility", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("attributes", sa.Text, nullable=False, server_default="[]"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    ]


def add_category_table(metadata: sa.MetaData) -> sa.Table:
    """The ``categories`` table on the hotline's metadata."""
    return sa.Table("categories", metadata, *category_columns())


def _from_row(row: Row[Any]) -> Category:
    m = row._mapping
    return Category(code=m["code"], name=m["name"], group=m["group_name"], keywords=json.loads(m["keywords"]),
                    description=m["description"], department=m["department"],
                    ticket_type=TicketType(m["ticket_type"]), utility=m["utility"],
                    attributes=[Attribute.from_dict(a) for a in json.loads(m["attributes"])],
                    active=m["active"], updated_at=m["updated_at"])


def _values(category: Category) -> dict[str, Any]:
    return {"name": category.name, "group_name": category.group, "keywords": dumps(category.keywords),
            "description": category.description, "department": category.department,
            "ticket_type": category.ticket_type.value, "utility": category.utility,
            "attributes": dumps([a.as_dict() for a in category.attributes]), "active": category.active,
            "updated_at": category.updated_at}


def _table() -> sa.Table:
    # store.py builds its metadata with add_category_table, so it is imported here, not at the top.
    from services.hotline.store import categories

    return categories


def load(conn: Connection, code: str) -> Category | None:
    t = _table()
    row = conn.execute(sa.select(t).where(t.c.code == code)).first()
    return None if row is None else _from_row(row)


def list_categories(db: Database, *, include_inactive: bool = False, group: str | None = None) -> list[Category]:
    """The taxonomy, by group then code; only active categories unless asked."""
    t = _table()
    query = sa.select(t).order_by(t.c.group_name, t.c.code)
    if not include_inactive:
        query = query.where(t.c.active.is_(True))
    if group:
        query = query.where(t.c.group_name == group)
    with db.read() as conn:
        return [_from_row(r) for r in conn.execute(query)]


def get_category(db: Database, code: str, *, active_only: bool = False) -> Category:
    with db.read() as conn:
        category = load(conn, code)
    if category is None or (active_only and not category.active):
        raise NotFound(_NOT_FOUND, {"code": [code]})
    return category


def require_category(conn: Connection, code: str) -> Category:
    """The active category ``code``, for intake (422 when unknown or retired)."""
    category = load(conn, code)
    if category is None or not category.active:
        raise InvalidInput(f"未知或已停用的分类 / unknown category: {code}", {"category": [f"unknown category {code}"]})
    return category


def put_category(db: Database, *, actor: str, category: Category) -> tuple[Category, bool]:
    """Create or replace a category (分类维护); returns it and whether it was new. Audited."""
    from services.hotline.store import departments

    t = _table()
    with db.unit_of_work(actor=actor) as uow:
        if category.department:
            require_active(uow.conn, departments, [category.department], "department")
        before = load(uow.conn, category.code)
        category = replace(category, updated_at=uow.now)
        if before is None:
            uow.conn.execute(t.insert().values(code=category.code, **_values(category)))
        else:
            uow.conn.execute(t.update().where(t.c.code == category.code).values(**_values(category)))
        uow.audit("category.created" if before is None else "category.updated", "category", category.code,
                  before=None if before is None else snapshot(before), after=snapshot(category))
        uow.commit()
    return category, before is None


def snapshot(category: Category) -> dict[str, Any]:
    """A category as the audit trail and the API show it."""
    return {"code": category.code, "name": category.name, "group": category.group,
            "keywords": list(category.keywords), "description": category.description,
            "department": category.department, "ticket_type": category.ticket_type.value,
            "utility": category.utility, "attributes": [a.as_dict() for a in category.attributes],
            "active": category.active, "updated_at": category.updated_at}


def seed_categories(db: Database, categories: tuple[Category, ...], *, actor: str) -> int:
    """Load ``categories`` into an empty taxonomy (demo data); returns how many were added."""
    t = _table()
    with db.read() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one():
            return 0
    for category in categories:
        put_category(db, actor=actor, category=category)
    return len(categories)
