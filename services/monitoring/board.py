"""Read side of the monitoring board (电子监察看板): clocks, cards, reminders and per-department summaries.

Department staff see their own departments only; every query is scoped before it is paginated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.monitoring import store
from services.monitoring.cards import Card
from services.monitoring.handlers import Monitoring, can_see, visible_departments
from services.monitoring.model import SupervisedClock
from services.monitoring.rules import BUILTIN_DEPARTMENT_NAMES, BoardState, CardColor, CardStatus, ClockState, Stage
from shared.auth import Principal
from shared.directory import department_names
from shared.errors import NotFound

RUNNING, PAUSED, STOPPED = ClockState.RUNNING.value, ClockState.PAUSED.value, ClockState.STOPPED.value


def names(conn: sa.Connection) -> dict[str, str]:
    """Department code → name, from the directory replica plus the hotline office."""
    return {**BUILTIN_DEPARTMENT_NAMES, **department_names(conn, store.departments)}


def _scope(column: sa.ColumnElement[Any], principal: Principal) -> list[sa.ColumnElement[bool]]:
    visible = visible_departments(principal)
    return [] if visible is None else [column.in_(sorted(visible))]


def board_state_condition(state: BoardState, now: datetime) -> sa.ColumnElement[bool]:
    """SQL for the derived board state, matching ``SupervisedClock.board_state``."""
    c = store.clocks.c
    running_in_time = sa.and_(c.state == RUNNING, c.due_at >= now)
    return {
        BoardState.STOPPED: c.state == STOPPED,
        BoardState.PAUSED: c.state == PAUSED,
        BoardState.OVERDUE: sa.and_(c.state == RUNNING, c.due_at < now),
        BoardState.REMINDED: sa.and_(running_in_time, c.stage == Stage.REMINDED.value),
        BoardState.ON_TIME: sa.and_(running_in_time, c.stage != Stage.REMINDED.value),
    }[state]


def _page(conn: sa.Connection, table: sa.Table, where: sa.ColumnElement[bool], order: list[Any], page: int,
          page_size: int) -> tuple[list[Any], int]:
    total = conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()
    rows = conn.execute(sa.select(table).where(where).order_by(*order)
                        .limit(page_size).offset((page - 1) * page_size)).all()
    return list(rows), int(total)


def list_clocks(monitoring: Monitoring, *, principal: Principal, page: int, page_size: int,
                subject_service: str | None = None, subject_id: str | None = None, department: str | None = None,
                state: str | None = None, kind: str | None = None,
                now: datetime | None = None) -> tuple[list[SupervisedClock], int]:
    """Clocks, most urgent first (earliest due time); filterable by subject, department, state and kind.

    ``state`` is judged at ``now`` (default: the database clock); pass the instant the caller presents
    the clocks at, so that a clock on a threshold is filtered and shown in the same state."""
    c = store.clocks.c
    conditions = _scope(c.department, principal)
    for column, value in ((c.subject_service, subject_service), (c.subject_id, subject_id),
                          (c.department, department), (c.kind, kind)):
        if value:
            conditions.append(column == value)
    if state:
        conditions.append(board_state_condition(BoardState(state), now or monitoring.db.clock.now()))
    with monitoring.db.read() as conn:
        rows, total = _page(conn, store.clocks, sa.and_(sa.true(), *conditions), [c.due_at, c.id], page, page_size)
    return [store.clock_from_row(r) for r in rows], total


def get_clock(monitoring: Monitoring, *, principal: Principal, clock_id: str) -> SupervisedClock:
    with monitoring.db.read() as conn:
        clock = store.ClockRepository(conn).get(clock_id)
    if not can_see(clock.department, principal):
        raise NotFound("时钟不存在 / clock not found", {"id": [clock_id]})
    return clock


def list_cards(monitoring: Monitoring, *, principal: Principal, page: int, page_size: int,
               department: str | None = None, color: str | None = None, status: str | None = None,
               source: str | None = None, subject_service: str | None = None,
               subject_id: str | None = None) -> tuple[list[Card], int]:
    """Cards, newest first, filtered."""
    c = store.cards.c
    conditions = _scope(c.department, principal)
    for column, value in ((c.department, department), (c.color, color), (c.status, status), (c.source, source),
                          (c.subject_service, subject_service), (c.subject_id, subject_id)):
        if value:
            conditions.append(column == value)
    with monitoring.db.read() as conn:
        rows, total = _page(conn, store.cards, sa.and_(sa.true(), *conditions), [c.issued_at.desc(), c.id],
                            page, page_size)
    return [store.card_from_row(r) for r in rows], total


def list_warnings(monitoring: Monitoring, *, principal: Principal, page: int, page_size: int,
                  department: str | None = None, subject_id: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """Reminders (预警), newest first."""
    w = store.warnings.c
    conditions = _scope(w.department, principal)
    if department:
        conditions.append(w.department == department)
    if subject_id:
        conditions.append(w.subject_id == subject_id)
    with monitoring.db.read() as conn:
        rows, total = _page(conn, store.warnings, sa.and_(sa.true(), *conditions), [w.issued_at.desc(), w.id],
                            page, page_size)
    items = [{**r._mapping, "subject": {"service": r.subject_service, "kind": r.subject_kind, "id": r.subject_id,
                                        "ref": r.subject_ref}} for r in rows]
    return items, total


def summary(monitoring: Monitoring, *, principal: Principal, department: str | None = None) -> list[dict[str, Any]]:
    """Per department: open clocks by board state, and cards by colour and status (two grouped queries)."""
    now = monitoring.db.clock.now()
    c, k = store.clocks.c, store.cards.c
    board = sa.case(*((board_state_condition(state, now), state.value)
                      for state in (BoardState.PAUSED, BoardState.OVERDUE, BoardState.REMINDED)),
                    else_=BoardState.ON_TIME.value).label("board")
    clock_where = [c.state != STOPPED, *_scope(c.department, principal)]
    card_where = _scope(k.department, principal)
    if department:
        clock_where.append(c.department == department)
        card_where.append(k.department == department)
    with monitoring.db.read() as conn:
        clock_rows = conn.execute(sa.select(c.department, board, sa.func.count()).where(*clock_where)
                                  .group_by(c.department, board)).all()
        card_rows = conn.execute(sa.select(k.department, k.color, k.status, sa.func.count())
                                 .where(sa.true(), *card_where).group_by(k.department, k.color, k.status)).all()
        known = names(conn)
    result: dict[str, dict[str, Any]] = {}

    def entry(code: str) -> dict[str, Any]:
        return result.setdefault(code, {
            "department": code, "name": known.get(code, code),
            "clocks": {s.value: 0 for s in BoardState if s is not BoardState.STOPPED},
            "cards": {color.value: {s.value: 0 for s in CardStatus} for color in CardColor}})

    for code, state, n in clock_rows:
        entry(code)["clocks"][state] += n
    for code, color, status, n in card_rows:
        entry(code)["cards"][color][status] += n
    return [result[code] for code in sorted(result)]
