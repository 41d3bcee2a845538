"""Deadlines as countdowns in working days (工作日), the way the rules count them (DESIGN §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from shared.calendar import WorkCalendar


@dataclass(frozen=True)
class Countdown:
    text: str
    state: str        # "ok", "soon" (due within the next working day) or "overdue"
    due_at: datetime


def countdown(due: str | datetime | None, now: datetime) -> Countdown | None:
    """How long until ``due``: hours when less than a day is left, else working days; overdue likewise."""
    if not due:
        return None
    due_at = datetime.fromisoformat(due) if isinstance(due, str) else due
    calendar: WorkCalendar = current_app.extensions["duban.ui.calendar"]
    if due_at > now:
        left = due_at - now
        days = calendar.working_days_between(now, due_at)
        if left < timedelta(days=1):
            return Countdown(_("剩 %(h)s 小时 %(m)s 分", h=left.seconds // 3600, m=left.seconds % 3600 // 60),
                             "soon", due_at)
        return Countdown(_("剩 %(n)s 个工作日", n=days), "soon" if days <= 1 else "ok", due_at)
    late = now - due_at
    days = calendar.working_days_between(due_at, now)
    if days == 0:
        return Countdown(_("超期 %(h)s 小时", h=int(late.total_seconds() // 3600)), "overdue", due_at)
    return Countdown(_("超期 %(n)s 个工作日", n=days), "overdue", due_at)
