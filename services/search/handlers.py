"""Search use cases: fold an event into its case and index it; answer a search within the caller's scope;
rebuild the index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.search import store
from services.search.backend import CasePage, CaseQuery, Indexed, SearchBackend
from services.search.model import PROJECTIONS, Scope, case_key, draw_completed
from services.search.rules import FACETS, SEARCHERS, CaseKind
from services.search.segment import query_clauses
from shared.auth import Principal
from shared.bus.envelope import Event
from shared.db import Database
from shared.errors import Forbidden
from shared.events import spotcheck as S
from shared.uow import UnitOfWork

# A unit of work that wrote a document just before a rebuild began may commit just after; its documents
# are re-applied with the rest of those written during the rebuild.
CATCH_UP_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True)
class Search:
    """What every use case needs: the database (the case documents) and the backend that indexes them."""

    db: Database
    backend: SearchBackend
    caller_key: bytes | None = None   # the hotline's key of callers' phone hashes (shared.keys)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


# -- indexing ----------------------------------------------------------------------------------------
def index_event(search: Search, uow: UnitOfWork, event: Event) -> None:
    """Fold one event into its case's document and index the result. Redelivery is absorbed by the inbox
    before this runs; a late event cannot move the status back (``CaseDocument.with_status``)."""
    projection = PROJECTIONS[event.type]
    typed = projection.event.from_event(event)
    key = case_key(projection.kind, projection.case_id(typed))
    cases = uow.repository(store.CaseRepository)
    stored = cases.get(key)
    seq, doc = stored if stored is not None else (None, None)
    if isinstance(typed, S.DrawCompleted):
        plan = cases.get(case_key(CaseKind.PLAN, typed.plan_id))
        folded = draw_completed(doc, typed, event.occurred_at, plan=plan[1] if plan else None)
    else:
        folded = projection.fold(doc, typed, event.occurred_at)
    folded = replace(folded, updated_at=max(filter(None, (folded.updated_at, event.occurred_at))))
    seq = cases.save(seq, folded, now=uow.now)
    search.backend.put(uow.conn, [(seq, folded)])


# -- searching ---------------------------------------------------------------------------------------
def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)


def build_query(search: Search, *, q: str = "", kind: list[str] | None = None,
                department: list[str] | None = None, status: list[str] | None = None,
                region: list[str] | None = None, from_: date | None = None, to: date | None = None,
                sort: str = "relevance", page: int = 1, page_size: int = 20) -> CaseQuery:
    """A query from the API's parameters; ``from``/``to`` are whole days in the administrative time zone."""
    return CaseQuery(
        clauses=query_clauses(q) if q else (), kinds=tuple(kind or ()), departments=tuple(department or ()),
        statuses=tuple(status or ()), regions=tuple(region or ()),
        since=day_start(from_, search.timezone) if from_ else None,
        until=day_start(to + timedelta(days=1), search.timezone) if to else None,
        sort=sort, page=page, page_size=page_size)


def search_cases(search: Search, *, principal: Principal, query: CaseQuery) -> tuple[CasePage, Scope]:
    """A page of cases the caller may see (department staff: their departments' only)."""
    if not principal.has_any(*SEARCHERS):
        raise Forbidden("无权检索案件 / your role may not search cases")
    scope = Scope.of(principal)
    return search.backend.search(query, scope, facets=FACETS), scope


# -- rebuilding --------------------------------------------------------------------------------------
def reindex(search: Search, *, progress: Callable[[int], None] | None = None,
            backend: SearchBackend | None = None) -> tuple[str, int]:
    """Rebuild ``backend`` (default: the one in use) from the stored documents while search and indexing
    go on; returns the new index's name and how many documents it holds.

    Events consumed during the rebuild still reach the old index; once the new one is in place, every
    document written since the rebuild began (plus a margin for transactions in flight) is applied
    again, so none of their changes is lost.
    """
    target = backend or search.backend
    started = search.db.clock.now()
    with search.db.read() as conn:
        total = store.count(conn)

    def batches(since: datetime | None = None) -> Iterator[list[Indexed]]:
        with search.db.read() as conn:
            yield from store.batches(conn, since=since)

    name = target.rebuild(batches(), progress=progress)
    for batch in batches(since=started - CATCH_UP_MARGIN):
        with search.db.engine.begin() as conn:
            target.put(conn, batch)
    return name, total


def documents_total(search: Search) -> int:
    """How many cases the index holds (a rebuild's length)."""
    with search.db.read() as conn:
        return store.count(conn)
