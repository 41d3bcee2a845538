"""Importing the two directories from CSV or XLSX: every row validated, bad rows named by line number.

A file with a bad row imports nothing unless the caller asks to skip bad rows. Rows go to the database
in batches, one transaction and one audit record per batch, so a city's million targets take minutes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from services.spotcheck import store
from services.spotcheck.model import Inspector, Target, new_inspector, new_target
from shared import bulk
from shared.directory import require_active
from shared.errors import InvalidInput
from shared.ids import new_id

BATCH = 5000
TARGET_COLUMNS = ("uscc", "name", "region", "industry", "risk_class", "abnormal", "complaints")
INSPECTOR_COLUMNS = ("name", "department", "certificate_no", "region", "qualifications", "conflicts",
                     "previous_targets")
TRUE, FALSE = {"1", "true", "yes", "y", "是"}, {"", "0", "false", "no", "n", "否"}


@dataclass
class Parsed:
    """Valid entries and the bad rows: (line number, reason)."""

    entries: list[Any] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)


def _flag(value: str) -> bool:
    lowered = value.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


def _codes(value: str) -> list[str]:
    return [c.strip().upper() for c in value.replace("；", ";").split(";") if c.strip()]


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidInput) and exc.errors:
        return "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in sorted(exc.errors.items()))
    return str(exc)


def parse(rows: Iterator[tuple[int, dict[str, str]]], kind: str) -> Parsed:
    """Validate every row; duplicates within the file are bad rows too."""
    parsed, seen = Parsed(), set[str]()
    columns = TARGET_COLUMNS if kind == "targets" else INSPECTOR_COLUMNS
    for line, row in rows:
        missing = [c for c in columns if c not in row]
        if missing:
            parsed.bad.append((line, f"missing columns: {', '.join(missing)}"))
            continue
        try:
            entry = _target(row) if kind == "targets" else _inspector(row)
        except (InvalidInput, ValueError) as exc:
            parsed.bad.append((line, _reason(exc)))
            continue
        key = entry.uscc if isinstance(entry, Target) else entry.certificate_no
        if key in seen:
            parsed.bad.append((line, f"{key} appears twice in the file"))
            continue
        seen.add(key)
        parsed.entries.append(entry)
    return parsed


def _target(row: dict[str, str]) -> Target:
    return new_target(uscc=row["uscc"], name=row["name"], region=row["region"], industry=row["industry"],
                      risk_class=row["risk_class"].upper(), abnormal=_flag(row["abnormal"]),
                      complaints=int(row["complaints"] or 0), active=_flag(row.get("active") or "1"))


def _inspector(row: dict[str, str]) -> Inspector:
    return new_inspector(id=new_id(), name=row["name"], department=row["department"],
                         certificate_no=row["certificate_no"], region=row["region"],
                         qualifications=[q for q in row["qualifications"].split(";") if q.strip()],
                         conflicts=_codes(row["conflicts"]), previous_targets=_codes(row["previous_targets"]),
                         active=_flag(row.get("active") or "1"))


def store_targets(db: Any, targets: list[Target], *, actor: str, progress: Callable[[int], None]) -> int:
    """Insert new targets and update known ones, a batch per transaction; returns how many were stored."""
    t = store.targets
    for start in range(0, len(targets), BATCH):
        batch = targets[start:start + BATCH]
        with db.unit_of_work(actor=actor) as uow:
            known = set(uow.conn.execute(sa.select(t.c.uscc).where(t.c.uscc.in_([x.uscc for x in batch])))
                        .scalars())
            rows = [{"uscc": x.uscc, "name": x.name, "region": x.region, "industry": x.industry,
                     "risk_class": x.risk_class.value, "abnormal": x.abnormal, "complaints": x.complaints,
                     "active": x.active, "updated_at": uow.now} for x in batch]
            bulk.insert_rows(uow.conn, t, [r for r in rows if r["uscc"] not in known])
            updates = [r for r in rows if r["uscc"] in known]
            if updates:
                uow.conn.execute(t.update().where(t.c.uscc == sa.bindparam("key")).values(
                    {c: sa.bindparam(c) for c in updates[0] if c != "uscc"}),
                    [{**r, "key": r["uscc"]} for r in updates])
            uow.audit("targets.imported", "target", f"{batch[0].uscc}..{batch[-1].uscc}", before=None,
                      after={"added": len(rows) - len(updates), "updated": len(updates),
                             "uscc": [x.uscc for x in batch]})
            uow.commit()
        progress(len(batch))
    return len(targets)


def store_inspectors(db: Any, inspectors: list[Inspector], *, actor: str, progress: Callable[[int], None]) -> int:
    """Add inspectors; one already listed (same certificate number) is left as it is and not counted."""
    added = 0
    with db.unit_of_work(actor=actor) as uow:
        require_active(uow.conn, store.departments, sorted({i.department for i in inspectors}), "department")
        known = set(uow.conn.execute(sa.select(store.inspectors.c.certificate_no)).scalars())
        repo = uow.repository(store.InspectorRepository)
        for inspector in inspectors:
            if inspector.certificate_no not in known:
                repo.add(inspector, now=uow.now)
                added += 1
        uow.audit("inspectors.imported", "inspector", "import", before=None,
                  after={"added": added, "certificates": [i.certificate_no for i in inspectors]})
        uow.commit()
    progress(len(inspectors))
    return added


def csv_text(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """Rows as CSV text with a header (exports, and files the tests write)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
