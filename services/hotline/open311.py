"""Open311 GeoReport v2 over the hotline: categories as services, tickets as service requests.

The use cases behind ``/open311/v2/`` (services/hotline/open311_api.py renders them as JSON or XML).
Everything here answers in the spec's shapes (dicts and lists named as the spec names them) and fails
with ``Open311Error`` (a status and a description), which the views turn into the spec's error list.

What a GET shows of a ticket is public (docs/open311.md): never the caller's name, phone or email; the
address cut to the street (no house number), lat/long rounded to 3 decimals (about 100 m), phone and
ID numbers in the description masked and the description cut at the spec's 4,000 characters; the
description only of requests posted through Open311, never a reply's text. Confidential tickets (保密件)
and tickets without a category are not published at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from services.hotline import category_store, handlers, store
from services.hotline.categories import Category, answer_problem, describe_answers
from services.hotline.handlers import Hotline
from services.hotline.model import Ticket
from services.hotline.reports import PUBLIC_ACTIONS
from services.hotline.rules import ACTION_LABELS_ZH, Channel, TicketStatus, Urgency, label
from services.hotline.store import TicketRepository
from shared.auth import Principal
from shared.directory import department_names
from shared.errors import DomainError, NotFound
from shared.privacy import coarsen_address, mask_text

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+08:00"   # when this endpoint last changed what it answers
FORMATS = ("text/xml", "application/json")
MAX_DESCRIPTION = 4000                     # the spec's limit on description
WINDOW = timedelta(days=90)                # the spec's default and widest start_date … end_date span
MAX_REQUESTS = 1000                        # at most this many requests per GET (newest first)
MAX_IDS = 100
CLOSED = (TicketStatus.CLOSED, TicketStatus.MERGED)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
_NUMBER = re.compile(r"^\d{6,20}$")
_PHONE = re.compile(r"^(?=(?:\D*\d){3})[0-9+\-() ]{3,20}$")
_CJK = re.compile(r"[\u3400-\u9fff]")


class Open311Error(Exception):
    """A failure the spec describes: HTTP status (400, 403, 404) and a description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


@dataclass(frozen=True)
class Endpoint:
    """What a request needs besides its parameters: the hotline, the jurisdiction, the clock's zone."""

    hotline: Hotline
    jurisdiction: str | None

    def check_jurisdiction(self, given: str | None) -> None:
        """Accept the configured jurisdiction_id; when none is configured, none is required."""
        if self.jurisdiction is None:
            return
        if not given:
            raise Open311Error(400, f"jurisdiction_id is required (this endpoint serves {self.jurisdiction})")
        if given != self.jurisdiction:
            raise Open311Error(404, f"jurisdiction_id {given!r} not found")

    def local(self, when: datetime | None) -> str | None:
        """ISO-8601 with the administrative zone's offset (e.g. 2026-11-23T09:00:00+08:00)."""
        return when.astimezone(self.hotline.calendar.tz).isoformat(timespec="seconds") if when else None


# -- services ------------------------------------------------------------------------------------
def service(category: Category) -> dict[str, Any]:
    """A category as a GeoReport v2 service."""
    return {"service_code": category.code, "service_name": category.name, "description": category.description,
            "metadata": category.has_metadata, "type": "realtime", "keywords": ", ".join(category.keywords),
            "group": category.group}


def services(endpoint: Endpoint) -> list[dict[str, Any]]:
    return [service(c) for c in category_store.list_categories(endpoint.hotline.db)]


def _active_category(endpoint: Endpoint, code: str) -> Category:
    try:
        return category_store.get_category(endpoint.hotline.db, code, active_only=True)
    except NotFound:
        raise Open311Error(404, f"service_code {code!r} not found") from None


def service_definition(endpoint: Endpoint, code: str) -> dict[str, Any]:
    category = _active_category(endpoint, code)
    return {"service_code": category.code, "attributes": [
        {"variable": a.variable, "code": a.code, "datatype": a.datatype.value, "required": a.required,
         "datatype_description": a.datatype_description, "order": a.order, "description": a.description,
         "values": [{"key": k, "name": n} for k, n in a.values]}
        for a in sorted(category.attributes, key=lambda a: a.order)]}


# -- posting -------------------------------------------------------------------------------------
def _coordinate(value: str | None, name: str, bound: float) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a decimal number") from None
    if not -bound <= number <= bound or number != number:
        raise Open311Error(400, f"{name} must be between -{bound:g} and {bound:g}")
    return number


def _field(form: dict[str, str], name: str, limit: int) -> str:
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters")
    return value


def post_request(endpoint: Endpoint, *, client: str, form: dict[str, str],
                 answers: dict[str, list[str]]) -> dict[str, Any]:
    """POST requests: a hotline ticket in channel ``open311``, in the normal workflow and clocks."""
    code = _field(form, "service_code", 40)
    if not code:
        raise Open311Error(400, "service_code is required")
    try:
        category = _active_category(endpoint, code)
    except Open311Error:
        raise Open311Error(400, f"service_code {code!r} is not a service of this endpoint") from None
    lat, long = _coordinate(form.get("lat"), "lat", 90), _coordinate(form.get("long"), "long", 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat and long go together")
    address, address_id = _field(form, "address_string", 300), _field(form, "address_id", 100)
    if lat is None and not address and not address_id:
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    description = _field(form, "description", MAX_DESCRIPTION)
    media_url = _field(form, "media_url", 500)
    if media_url and not re.match(r"^https?://[^\s]+$", media_url):
        raise Open311Error(400, "media_url must be an http or https URL")
    email = _field(form, "email", 254)
    if email and not _EMAIL.match(email):
        raise Open311Error(400, "email is not an e-mail address")
    for attribute in category.attributes:
        problem = answer_problem(attribute, answers.get(attribute.code, []))
        if problem:
            raise Open311Error(400, f"attribute[{attribute.code}] {problem}")
    answered = {code for code, values in answers.items() if any(v.strip() for v in values)}
    unknown = sorted(answered - {a.code for a in category.attributes})
    if unknown:
        raise Open311Error(400, f"attribute[{unknown[0]}] is not an attribute of service {code}")
    extra = describe_answers(category, answers)
    content = "\n\n".join(part for part in (description, extra) if part) or category.name
    phone = _field(form, "phone", 30)
    if phone and not _PHONE.match(phone):
        raise Open311Error(400, "phone is not a phone number")
    first, last = _field(form, "first_name", 50), _field(form, "last_name", 50)
    # 张 + 三 → 张三 (surname first, no space); Ada + Lovelace → "Ada Lovelace".
    name = f"{last}{first}" if _CJK.search(first + last) else " ".join(p for p in (first, last) if p)
    details = {"open311": {k: v for k, v in {
        "client": client, "email": email, "address_id": address_id, "description": description,
        "device_id": _field(form, "device_id", 100), "account_id": _field(form, "account_id", 100),
        "attributes": {k: v for k, v in answers.items() if any(x.strip() for x in v)}}.items() if v}}
    principal = Principal(f"open311:{client}", frozenset())
    try:
        ticket = handlers.file_ticket(
            endpoint.hotline, principal=principal, type=category.ticket_type.value, urgency=Urgency.GENERAL.value,
            channel=Channel.OPEN311.value, title=_title(category, description), content=content,
            caller={"name": name, "phone": phone}, address=address,
            utility=category.utility, category=category.code, lat=lat, long=long, media_url=media_url or None,
            details=details)
    except DomainError as error:  # the hotline's own checks (e.g. a retired category meanwhile)
        raise Open311Error(400, error.message) from None
    return {"service_request_id": ticket.number, "token": ticket.id,
            "service_notice": _notice(endpoint.hotline, category), "account_id": None}


def _title(category: Category, description: str) -> str:
    first = description.splitlines()[0].strip() if description else ""
    return f"{category.name}：{first}"[:60] if first else category.name


def _notice(hotline: Hotline, category: Category) -> str:
    limit = hotline.policy.handle_limit(Urgency.GENERAL, category.utility)
    unit = {"minutes": "分钟", "hours": "小时", "days": "天", "workdays": "个工作日"}.get(limit.unit.value, "")
    return (f"已受理，工单编号即 service_request_id。派单后承办单位将在{limit.amount}{unit}内答复，"
            "可凭编号查询办理进度。")


# -- reading -------------------------------------------------------------------------------------
def token(endpoint: Endpoint, value: str) -> dict[str, Any]:
    """GET tokens: the request a token stands for (every POST answers its id at once, too)."""
    with endpoint.hotline.db.read() as conn:
        row = conn.execute(sa.select(store.tickets.c.number).where(
            store.tickets.c.id == value, store.tickets.c.channel == Channel.OPEN311.value)).first()
    if row is None:
        raise Open311Error(404, f"token {value!r} not found")
    return {"service_request_id": row.number, "token": value}


def _published() -> Any:
    t = store.tickets
    return sa.and_(t.c.category.is_not(None), t.c.confidential.is_(False))


def get_request(endpoint: Endpoint, number: str) -> dict[str, Any]:
    found = _load(endpoint, sa.and_(store.tickets.c.number == number, _published())) if _NUMBER.match(number) else []
    if not found:
        raise Open311Error(404, f"service_request_id {number!r} not found")
    return found[0]


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C date and time, e.g. 2026-11-01T00:00:00+08:00") from None
    if parsed.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone (Z or an offset such as +08:00)")
    if not 2000 <= parsed.year <= 2100:
        raise Open311Error(400, f"{name} is out of range")
    return parsed


def get_requests(endpoint: Endpoint, args: dict[str, str]) -> list[dict[str, Any]]:
    """GET requests: by ids (which override every other filter), or by service, dates and status."""
    t = store.tickets
    ids = [i.strip() for i in (args.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        if len(ids) > MAX_IDS or not all(_NUMBER.match(i) for i in ids):
            raise Open311Error(400, f"service_request_id takes up to {MAX_IDS} comma-separated ids")
        return _load(endpoint, sa.and_(t.c.number.in_(ids), _published()))
    conditions = [_published()]
    codes = [c.strip() for c in (args.get("service_code") or "").split(",") if c.strip()]
    if codes:
        conditions.append(t.c.category.in_(codes))
    statuses = {s.strip() for s in (args.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status takes open, closed or both (comma-separated)")
    closed = [s.value for s in CLOSED]
    if statuses == {"open"}:
        conditions.append(t.c.status.not_in(closed))
    elif statuses == {"closed"}:
        conditions.append(t.c.status.in_(closed))
    start, end = _date(args.get("start_date"), "start_date"), _date(args.get("end_date"), "end_date")
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date")
    if start and end and end - start > WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    end = end or (start + WINDOW if start else endpoint.hotline.db.clock.now())
    start = start or end - WINDOW
    conditions += [t.c.created_at >= start.astimezone(UTC), t.c.created_at <= end.astimezone(UTC)]
    return _load(endpoint, sa.and_(*conditions))


def _load(endpoint: Endpoint, where: Any) -> list[dict[str, Any]]:
    t = store.tickets
    with endpoint.hotline.db.read() as conn:
        ids = list(conn.execute(sa.select(t.c.id).where(where).order_by(t.c.created_at.desc(), t.c.id)
                                .limit(MAX_REQUESTS)).scalars())
        repo = TicketRepository(conn)
        tickets = [repo.get(i) for i in ids]
        names = department_names(conn, store.departments)
        numbers = _merged_numbers(conn, tickets)
    categories = {c.code: c for c in category_store.list_categories(endpoint.hotline.db, include_inactive=True)}
    return [present(endpoint, ticket, categories.get(ticket.category or ""), names, numbers) for ticket in tickets]


def _merged_numbers(conn: sa.Connection, tickets: list[Ticket]) -> dict[str, str]:
    masters = [t.merged_into for t in tickets if t.merged_into]
    if not masters:
        return {}
    t = store.tickets
    return {r.id: r.number for r in conn.execute(sa.select(t.c.id, t.c.number).where(t.c.id.in_(masters)))}


def present(endpoint: Endpoint, ticket: Ticket, category: Category | None, names: dict[str, str],
            merged: dict[str, str]) -> dict[str, Any]:
    """A ticket as a GeoReport v2 service request: no personal data (module docstring)."""
    public = [e for e in ticket.timeline if e.action in PUBLIC_ACTIONS]
    updated = public[-1].at if public else ticket.created_at
    # Only what a citizen posted through Open311 (to a public API) is published as the description; what
    # a caller told the hotline by phone or letter was not given to be published (free text names people).
    # The ticket's content adds the answers to the attributes; the client reads back what it posted.
    posted = ticket.details.get("open311", {}).get("description") if ticket.channel is Channel.OPEN311 else None
    return {
        "service_request_id": ticket.number,
        "status": "closed" if ticket.status in CLOSED else "open",
        "status_notes": status_notes(ticket, names, merged),
        "service_name": category.name if category else None,
        "service_code": ticket.category,
        "description": mask_text(posted)[:MAX_DESCRIPTION] if posted is not None else None,
        "agency_responsible": names.get(ticket.lead_department or "") or None,
        "service_notice": None,
        "requested_datetime": endpoint.local(ticket.created_at),
        "updated_datetime": endpoint.local(updated),
        "expected_datetime": endpoint.local(ticket.handle_due_at) if ticket.status not in CLOSED else None,
        "address": coarsen_address(ticket.address) or None,
        "address_id": None,
        "zipcode": None,
        "lat": None if ticket.lat is None else round(ticket.lat, 3),
        "long": None if ticket.long is None else round(ticket.long, 3),
        "media_url": ticket.media_url,
    }


_NOTES = {
    "received": "已受理，等待派单", "dispatched": "已派至{department}办理", "signed": "{department}已签收，正在办理",
    "return_accepted": "原承办单位申请退单已同意，等待重新派单", "extension_approved": "{department}申请延期已获批准",
    "reopened": "回访不满意，已重新交{department}办理", "transferred": "已转{service}紧急处置",
}


def status_notes(ticket: Ticket, names: dict[str, str], merged: dict[str, str]) -> str:
    """Why the request is where it is, in Chinese, from the latest public step of its timeline."""
    public = [e for e in ticket.timeline if e.action in PUBLIC_ACTIONS and e.action != "callback_recorded"]
    if not public:
        return label(ticket.status)
    entry = public[-1]
    department = names.get(entry.department or ticket.lead_department or "", "承办单位")
    if entry.action == "merged":
        return f"与重复诉求合并办理，请查询工单{merged.get(ticket.merged_into or '', entry.note)}"
    if entry.action in ("replied", "answered", "legal_channel", "closed"):
        # Like the public status lookup, never the reply's text (it may name people).
        if ticket.status is TicketStatus.CLOSED:
            return f"已办结（{department}）" if ticket.lead_department else "已办结"
        return f"{department}已答复，待回访" if ticket.lead_department else "已答复，待回访"
    template = _NOTES.get(entry.action, ACTION_LABELS_ZH.get(entry.action, entry.action))
    return template.format(department=department, service=entry.data.get("service", ""))
