"""Fixtures for the case index: a search service on its own (migrated SQLite file, its real consumer with the
inbox) fed typed events, and searched over HTTP as staff of any role.

``desk`` is parametrised over the backends: the same tests run on SQLite FTS5 and on Elasticsearch (the
Elasticsearch-API engine of noida-db, started once per session; see tests/search/engine.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import gateway
import services.search as search_service
from gateway.registry import PARTS
from services.search.handlers import Search
from shared.bootstrap import Environment
from shared.bus.consumer import Consumer
from shared.bus.envelope import Event
from shared.events import DomainEvent
from shared.events import hotline as H
from shared.migrations import migrate_service
from shared.roles import Principal
from shared.settings import Settings
from tests.backing import elasticsearch_engine

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)   # Monday 09:00 in Beijing
API = "/api/search/v1"
BACKENDS = ["fts", "elasticsearch"]


@dataclass
class Desk:
    """The search service under test: ``feed`` events into its consumer, ``find`` over HTTP."""

    search: Search
    consumer: Consumer
    http: Any
    tokens: Any
    clock_at: datetime = T0
    fed: list[Event] = field(default_factory=list)

    def feed(self, event: DomainEvent, *, at: datetime | None = None, message_id: str | None = None) -> bool:
        """Deliver ``event`` as its producer would (envelope, routing key); True if it was applied."""
        occurred = at or self.tick()
        envelope = Event(type=event.TYPE, data=event.to_data(), occurred_at=occurred,
                         producer=event.TYPE.split(".")[0])
        self.fed.append(envelope)
        applied = self.consumer.handle(message_id or envelope.id, envelope.type, envelope.to_json())
        self.refresh()
        return applied

    def redeliver(self, envelope: Event) -> bool:
        applied = self.consumer.handle(envelope.id, envelope.type, envelope.to_json())
        self.refresh()
        return applied

    def refresh(self) -> None:
        refresh = getattr(self.search.backend, "refresh", None)
        if refresh is not None:
            refresh()

    def tick(self, minutes: int = 1) -> datetime:
        self.clock_at += timedelta(minutes=minutes)
        return self.clock_at

    def headers(self, *roles: str, departments: tuple[str, ...] = ()) -> dict[str, str]:
        principal = Principal(f"u-{uuid.uuid4().hex[:6]}", frozenset(roles), frozenset(departments))
        return {"Authorization": f"Bearer {self.tokens.issue(principal, now=datetime.now(UTC))}"}

    def get(self, *roles: str, departments: tuple[str, ...] = (), **query: Any) -> Any:
        params = {("from" if k == "from_" else k): v for k, v in query.items()}
        return self.http.get(API + "/cases", query_string=params,
                             headers=self.headers(*roles, departments=departments) if roles else {})

    def find(self, *roles: str, departments: tuple[str, ...] = (), **query: Any) -> dict[str, Any]:
        response = self.get(*(roles or ("inspector",)), departments=departments, **query)
        assert response.status_code == 200, response.get_json()
        return response.get_json()  # type: ignore[no-any-return]

    def titles(self, *roles: str, departments: tuple[str, ...] = (), **query: Any) -> list[str]:
        return [item["title"] for item in self.find(*roles, departments=departments, **query)["items"]]


def ticket(n: int | str, title: str, content: str, *, number: str | None = None, confidential: bool = False,
           address: str = "", region: str | None = None, created_at: datetime = T0) -> H.TicketReceived:
    """A ``hotline.ticket.received`` as the hotline publishes it."""
    return H.TicketReceived(ticket_id=f"t-{n}", number=number or f"2026112300{int(str(n)[-4:] or 0):04d}",
                            status="received", type="complaint", urgency="general", channel="phone", title=title,
                            content=content, confidential=confidential, created_at=created_at, address=address,
                            region=region)


def dispatched(n: int | str, lead: str, *co: str, at: datetime = T0) -> H.TicketDispatched:
    return H.TicketDispatched(ticket_id=f"t-{n}", status="dispatched", lead_department=lead,
                              co_departments=list(co), type="complaint", urgency="general", dispatched_at=at,
                              sign_due_at=at + timedelta(days=1), handle_due_at=at + timedelta(days=5))


def open_desk(tmp_path: Any, backend_name: str, elastic_url: str | None = None) -> Desk:
    settings = Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING",
                        search_backend=backend_name, elasticsearch_url=elastic_url or Settings.elasticsearch_url,
                        search_index=f"test-cases-{uuid.uuid4().hex[:8]}")
    migrate_service("services.search", "search", settings)
    env = Environment(settings)
    context = search_service.open_context(env)
    tokens = gateway.token_service(settings)
    app = search_service.create_app(env, tokens=tokens, context=context)
    consumer = Consumer(context.db, "search", PARTS["search"].subscriptions(context))
    return Desk(search=context, consumer=consumer, http=app.test_client(), tokens=tokens)


@pytest.fixture(params=BACKENDS)
def desk(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Desk]:
    """The search service on each backend in turn."""
    url = None
    if request.param == "elasticsearch":
        url = request.getfixturevalue("elastic_url")
    desk = open_desk(tmp_path, request.param, url)
    yield desk
    close = getattr(desk.search.backend, "drop", None)
    if close is not None:
        close()
    desk.search.db.dispose()


@pytest.fixture
def fts_desk(tmp_path: Any) -> Iterator[Desk]:
    desk = open_desk(tmp_path, "fts")
    yield desk
    desk.search.db.dispose()


@pytest.fixture(scope="session")
def elastic_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Elasticsearch-API engine for the session; each test gets its own alias and indices."""
    with elasticsearch_engine(str(tmp_path_factory.mktemp("elasticsearch"))) as url:
        yield url
