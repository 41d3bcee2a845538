"""Number series (ticket numbers per day, notice numbers per year): one counter row per series key."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def next_in_series(conn: Connection, table: sa.Table, key_column: str, key: object) -> int:
    """The next number of ``key``'s series in ``table`` (columns ``key_column`` and ``last``).

    The row update serialises concurrent callers; the first number of a new series inserts the row in a
    savepoint, and a caller that lost that race takes the next number instead.
    """
    column = table.c[key_column]
    updated = conn.execute(table.update().where(column == key).values(last=table.c.last + 1)
                           .returning(table.c.last)).scalar()
    if updated is not None:
        return int(updated)
    try:
        with conn.begin_nested():
            conn.execute(table.insert().values({key_column: key, "last": 1}))
        return 1
    except sa.exc.IntegrityError:  # another caller created the series first
        return next_in_series(conn, table, key_column, key)
