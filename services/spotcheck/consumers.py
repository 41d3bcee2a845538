"""Events the spot-check service consumes: the directory, the holiday years and the rules it replicates."""

from __future__ import annotations

from services.spotcheck import store
from shared.bus.consumer import RouteHandler
from shared.bus.envelope import Event
from shared.calendar_store import YEAR_SET, apply_year_set
from shared.directory import upsert_department
from shared.events.rectification import NoticeIssued
from shared.rules_store import PUBLISHED, apply_rules_published
from shared.uow import UnitOfWork


def notice_issued(_spotcheck: object, uow: UnitOfWork, event: Event) -> None:
    """A finding's rectification notice: the result links to it (its number is shown with the result)."""
    notice = NoticeIssued.from_event(event)
    if notice.source.get("kind") != "spot_check":
        return
    ref = notice.source.get("ref", {})
    r = store.results
    uow.conn.execute(r.update().where(r.c.plan_id == ref.get("id"), r.c.uscc == ref.get("number"))
                     .values(notice_id=notice.notice_id, notice_number=notice.number))


ROUTES: dict[str, RouteHandler] = {
    # The replica of the department directory: plan departments must be known, active departments.
    "gateway.department.upserted": upsert_department,
    # The replicas of the published rules (sampling ratios) and of the entered holiday years.
    PUBLISHED: apply_rules_published,
    YEAR_SET: apply_year_set,
    NoticeIssued.TYPE: notice_issued,
}
