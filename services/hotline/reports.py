"""Read-side views of the hotline: the public status lookup and department KPIs."""

from __future__ import annotations

import hmac
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from services.hotline import store
from services.hotline.handlers import Hotline
from services.hotline.rules import ACTION_LABELS_ZH, Satisfaction, TicketStatus, label
from services.hotline.store import TicketRepository
from shared.directory import department_names
from shared.errors import NotFound
from shared.periods import Period
from shared.privacy import mask_address, mask_name, mask_phone

_NOT_FOUND = "工单编号或查询码不正确 / ticket number or query code is wrong"
# Actions the public sees on the timeline; internal ones (urging, co-unit notes) stay internal.
PUBLIC_ACTIONS = ("received", "answered", "legal_channel", "transferred", "dispatched", "signed",
                  "return_accepted", "extension_approved", "replied", "callback_recorded", "reopened",
                  "closed", "merged", "rectification")


def public_status(hotline: Hotline, *, number: str, code: str) -> dict[str, Any]:
    """What the public sees with ticket number + query code: no personal data of anyone.

    A wrong number and a wrong code give the same answer, so numbers cannot be probed.
    """
    with hotline.db.read() as conn:
        try:
            ticket = TicketRepository(conn).get_by_number(number.strip())
        except NotFound:
            raise NotFound(_NOT_FOUND) from None
        if not hmac.compare_digest(code.strip().upper().encode(), ticket.query_code.encode()):
            raise NotFound(_NOT_FOUND)
        names = department_names(conn, store.departments)
    tz = hotline.calendar.tz

    def local(when: Any) -> str | None:
        return when.astimezone(tz).isoformat() if when else None

    view: dict[str, Any] = {
        "number": ticket.number, "status": ticket.status.value, "status_label": label(ticket.status),
        "confidential": ticket.confidential,
        "updated_at": local(ticket.timeline[-1].at if ticket.timeline else ticket.created_at),
    }
    if ticket.confidential:  # 保密件: status only
        return view
    view.update(
        type=ticket.type.value, type_label=label(ticket.type), created_at=local(ticket.created_at),
        caller={"name": mask_name(ticket.caller.name), "phone": mask_phone(ticket.caller.phone)},
        address=mask_address(ticket.address),
        lead_department=names.get(ticket.lead_department or "", None),
        handle_due_at=local(ticket.handle_due_at),
        timeline=[{
            "at": local(e.at), "action": e.action, "action_label": ACTION_LABELS_ZH.get(e.action, e.action),
            "status": e.to_status, "status_label": label(e.to_status),
            "department": names.get(e.department or "", None),
        } for e in ticket.timeline if e.action in PUBLIC_ACTIONS],
    )
    if ticket.status is TicketStatus.MERGED:
        view["note"] = "该工单已与重复诉求合并办理 / merged with a duplicate request"
    return view


@dataclass
class DepartmentKpis:
    department: str
    name: str
    assigned: int = 0
    signed: int = 0
    signed_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0
    callbacks: int = 0
    satisfied: int = 0
    returned: int = 0
    reopened: int = 0

    def as_dict(self) -> dict[str, Any]:
        rates = {
            "on_time_sign_rate": _rate(self.signed_on_time, self.signed),
            "on_time_closure_rate": _rate(self.replied_on_time, self.replied),
            "satisfaction_rate": _rate(self.satisfied, self.callbacks),
            "callback_rate": _rate(self.callbacks, self.replied),
            "return_rate": _rate(self.returned, self.assigned),
            "reopen_rate": _rate(self.reopened, self.replied),
        }
        return {**asdict(self), **rates}


def _rate(part: int, whole: int) -> float | None:
    """A share rounded to 4 places; None where nothing was there to measure."""
    return round(part / whole, 4) if whole else None


SATISFIED = (Satisfaction.VERY_SATISFIED.value, Satisfaction.SATISFIED.value,
             Satisfaction.BASICALLY_SATISFIED.value)


def department_kpis(hotline: Hotline, *, period: Period, departments: set[str] | None = None
                    ) -> list[dict[str, Any]]:
    """KPIs per department for the events that happened in ``period`` (one grouped query)."""
    tl = store.timeline
    query = (sa.select(tl.c.department, tl.c.action, tl.c.outcome, sa.func.count().label("n"))
             .where(tl.c.at >= period.start, tl.c.at < period.end, tl.c.department.is_not(None),
                    tl.c.action.in_(["dispatched", "reopened", "signed", "replied", "callback_recorded",
                                     "return_accepted"]))
             .group_by(tl.c.department, tl.c.action, tl.c.outcome))
    if departments is not None:
        query = query.where(tl.c.department.in_(sorted(departments)))
    with hotline.db.read() as conn:
        rows = conn.execute(query).all()
        names = department_names(conn, store.departments)
    kpis: dict[str, DepartmentKpis] = {}
    for dept, action, outcome, n in rows:
        k = kpis.setdefault(dept, DepartmentKpis(dept, names.get(dept, dept)))
        if action == "dispatched":
            k.assigned += n
        elif action == "reopened":
            k.assigned += n
            k.reopened += n
        elif action == "signed":
            k.signed += n
            k.signed_on_time += n if outcome == "on_time" else 0
        elif action == "replied":
            k.replied += n
            k.replied_on_time += n if outcome == "on_time" else 0
        elif action == "callback_recorded":
            k.callbacks += n
            k.satisfied += n if outcome in SATISFIED else 0
        elif action == "return_accepted":
            k.returned += n
    return [kpis[d].as_dict() for d in sorted(kpis)]


def departments(hotline: Hotline) -> list[dict[str, Any]]:
    d = store.departments
    with hotline.db.read() as conn:
        rows = conn.execute(sa.select(d.c.code, d.c.name, d.c.utility, d.c.active)
                            .where(d.c.active.is_(True)).order_by(d.c.code))
        return [dict(r._mapping) for r in rows]
