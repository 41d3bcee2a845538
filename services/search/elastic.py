"""The distributed backend: Elasticsearch through the official client.

Searches and live writes go through an alias (``DUBAN_SEARCH_INDEX``, default ``duban-cases``) that points
at one versioned index (``<alias>-v<timestamp>``). A rebuild fills a new versioned index with ``helpers.bulk``
and moves the alias in one atomic ``update_aliases`` call, so search never stops and never sees a half-built
index. The index template (``services.search.mappings``, rendered to infra/elasticsearch/cases.json) gives
every versioned index the same mappings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch, helpers

from services.search.backend import NEWEST, CasePage, CaseQuery, Hit, Indexed
from services.search.fts import text_columns
from services.search.mappings import template
from services.search.model import CaseDocument, Scope
from services.search.rules import FINISHED_STATUSES, CaseKind
from services.search.segment import Clause

log = logging.getLogger(__name__)

# Field boosts, as the FTS5 column weights: a word in the title says more than one in the body.
FIELDS = {"title_words": 3.0, "body_words": 1.0, "extra_words": 2.0}
FACET_FIELDS = {"kind": "kind", "department": "departments", "status": "status"}
BULK_CHUNK = 2000


def source(seq: int, doc: CaseDocument) -> dict[str, Any]:
    """The indexed form of a document: its fields, and the words of its text per field."""
    words = text_columns(doc)
    return {"seq": seq, "key": doc.key, "kind": doc.kind.value, "id": doc.id, "number": doc.number,
            "title": doc.title, "body": doc.body, "address": doc.address, "region": doc.region,
            "status": doc.status, "departments": list(doc.departments), "confidential": doc.confidential,
            "tags": list(doc.tags), "caller_key": doc.caller_key, "at": doc.at.isoformat(),
            "status_at": doc.status_at.isoformat() if doc.status_at else None,
            "updated_at": doc.updated_at.isoformat() if doc.updated_at else None, "memo": doc.memo,
            "title_words": words["title"], "body_words": words["body"], "extra_words": words["extra"]}


def document(hit_source: dict[str, Any]) -> CaseDocument:
    def when(name: str) -> datetime | None:
        value = hit_source.get(name)
        return datetime.fromisoformat(value) if value else None

    at = when("at")
    assert at is not None
    return CaseDocument(kind=CaseKind(hit_source["kind"]), id=hit_source["id"], at=at,
                        number=hit_source.get("number", ""), title=hit_source.get("title", ""),
                        body=hit_source.get("body", ""), address=hit_source.get("address", ""),
                        region=hit_source.get("region"), status=hit_source.get("status", ""),
                        departments=tuple(hit_source.get("departments") or ()),
                        confidential=bool(hit_source.get("confidential")), tags=tuple(hit_source.get("tags") or ()),
                        caller_key=hit_source.get("caller_key"), status_at=when("status_at"),
                        updated_at=when("updated_at"), memo=hit_source.get("memo") or {})


def _term(word: str) -> dict[str, Any]:
    """One word in any of the text fields, scored by BM25 with the field's boost."""
    return {"bool": {"should": [{"term": {name: {"value": word, "boost": boost}}} for name, boost in FIELDS.items()],
                     "minimum_should_match": 1}}


def _clause(clause: Clause) -> dict[str, Any]:
    if not clause.parts:
        return _term(clause.word)
    return {"bool": {"should": [_term(clause.word), {"bool": {"must": [_term(p) for p in clause.parts]}}],
                     "minimum_should_match": 1}}


def scope_filters(query: CaseQuery, scope: Scope) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The filter and must_not clauses of a query's filters and the caller's scope."""
    filters: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for field_name, values in (("kind", query.kinds), ("status", query.statuses), ("region", query.regions),
                               ("departments", query.departments)):
        if values:
            filters.append({"terms": {field_name: list(values)}})
    at: dict[str, str] = {}
    if query.since is not None:
        at["gte"] = query.since.isoformat()
    if query.until is not None:
        at["lt"] = query.until.isoformat()
    if at:
        filters.append({"range": {"at": at}})
    if query.caller_key:
        filters.append({"term": {"caller_key": query.caller_key}})
    if query.open_only:
        excluded.append({"terms": {"status": list(FINISHED_STATUSES)}})
    if scope.departments is not None:
        filters.append({"terms": {"departments": sorted(scope.departments)}} if scope.departments
                       else {"bool": {"must_not": [{"match_all": {}}]}})
    if not scope.confidential:
        filters.append({"term": {"confidential": False}})
    return filters, excluded


def search_body(query: CaseQuery, scope: Scope, facets: Sequence[str]) -> dict[str, Any]:
    """The search request of a query: words scored, filters and scope unscored, facets as terms aggregations."""
    filters, excluded = scope_filters(query, scope)
    boolean: dict[str, Any] = {"filter": filters, "must_not": excluded}
    if query.clauses:
        clauses = [_clause(c) for c in query.clauses]
        if query.any_clause:
            boolean.update(should=clauses, minimum_should_match=1)
        else:
            boolean["must"] = clauses
    relevance = bool(query.clauses) and query.sort != NEWEST
    return {
        "query": {"bool": boolean},
        "sort": [{"_score": "desc"}, {"at": "desc"}] if relevance else [{"at": "desc"}, {"seq": "desc"}],
        "from_": query.offset, "size": query.page_size, "track_total_hits": True,
        "aggs": {name: {"terms": {"field": FACET_FIELDS[name], "size": 50}} for name in facets},
    }


class ElasticBackend:
    """Elasticsearch behind the alias ``alias``."""

    name = "elasticsearch"

    def __init__(self, client: Elasticsearch, *, alias: str) -> None:
        self.client = client
        self.alias = alias
        self._ready = False

    @classmethod
    def connect(cls, url: str, *, alias: str) -> ElasticBackend:
        # No request at construction: a process starts even while the cluster is still coming up.
        return cls(Elasticsearch(url, request_timeout=30, retry_on_timeout=True, max_retries=3), alias=alias)

    # -- the alias and its indices -------------------------------------------------------------------
    def ensure(self) -> None:
        """Install the template and, on a fresh cluster, a first versioned index behind the alias."""
        if self._ready:
            return
        body = template(self.alias)
        self.client.indices.put_index_template(name=self.alias, index_patterns=body["index_patterns"],
                                               priority=body["priority"], template=body["template"],
                                               meta=body["_meta"])
        if not self.client.indices.exists_alias(name=self.alias):
            # One fixed name for the first index: a web process and a worker starting together create it
            # once between them (the loser's "already exists" is ignored), never two indices behind the alias.
            self.client.options(ignore_status=400).indices.create(index=f"{self.alias}-v0",
                                                                  aliases={self.alias: {}})
        self._ready = True

    def _new_index_name(self) -> str:
        return f"{self.alias}-v{time.time_ns() // 1000}"

    def indices(self) -> list[str]:
        """The versioned indices the alias points at now (one, except during a swap gone wrong)."""
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return sorted(self.client.indices.get_alias(name=self.alias))

    # -- writing -----------------------------------------------------------------------------------
    def put(self, conn: Any, entries: Sequence[Indexed]) -> None:
        """Write whole documents through the alias; a redelivery writes the same document again."""
        self.ensure()
        if len(entries) == 1:
            seq, doc = entries[0]
            self.client.index(index=self.alias, id=doc.key, document=source(seq, doc))
        elif entries:
            self._bulk(self.alias, entries)

    def _bulk(self, index: str, entries: Iterable[Indexed]) -> int:
        actions = ({"_index": index, "_id": doc.key, "_source": source(seq, doc)} for seq, doc in entries)
        done, _errors = helpers.bulk(self.client, actions, chunk_size=BULK_CHUNK, raise_on_error=True)
        return done

    def rebuild(self, batches: Iterable[Sequence[Indexed]], *,
                progress: Callable[[int], None] | None = None) -> str:
        """Bulk-index every document into a new versioned index, then swap the alias onto it atomically
        and drop the old indices. Live writes keep going to the old index until the swap; the caller
        re-applies what changed meanwhile (handlers.reindex)."""
        self.ensure()
        fresh = self._new_index_name()
        self.client.indices.create(index=fresh, settings={"refresh_interval": "-1"})
        try:
            for batch in batches:
                self._bulk(fresh, batch)
                if progress is not None:
                    progress(len(batch))
            self.client.indices.put_settings(index=fresh, settings={"refresh_interval": "1s"})
            self.client.indices.refresh(index=fresh)
        except Exception:
            self.client.options(ignore_status=404).indices.delete(index=fresh)
            raise
        old = self.indices()
        self.client.indices.update_aliases(actions=[
            *({"remove": {"index": name, "alias": self.alias}} for name in old),
            {"add": {"index": fresh, "alias": self.alias}}])
        for name in old:
            self.client.options(ignore_status=404).indices.delete(index=name)
        log.info("search.reindexed", extra={"index": fresh, "replaced": old})
        return fresh

    def refresh(self) -> None:
        """Make every write visible to search now (tests and the reindex command; the cluster does it
        every second by itself)."""
        self.ensure()
        self.client.indices.refresh(index=self.alias)

    def drop(self) -> None:
        """Delete the alias's indices and template (tests)."""
        for name in self.indices():
            self.client.options(ignore_status=404).indices.delete(index=name)
        self.client.options(ignore_status=404).indices.delete_index_template(name=self.alias)

    def ping(self) -> None:
        self.client.cluster.health(timeout="5s")

    # -- searching ---------------------------------------------------------------------------------
    def search(self, query: CaseQuery, scope: Scope, *, facets: Sequence[str]) -> CasePage:
        self.ensure()
        answer = self.client.search(index=self.alias, **search_body(query, scope, facets))
        hits = [Hit(document(h["_source"]), round(float(h["_score"] or 0.0), 4)) for h in answer["hits"]["hits"]]
        total = int(answer["hits"]["total"]["value"])
        aggregations = answer.get("aggregations") or {}
        counts = {name: [(str(b["key"]), int(b["doc_count"])) for b in _buckets(aggregations, name)]
                  for name in facets} if total else {}
        return CasePage(hits=hits, total=total, facets=counts)


def _buckets(aggregations: dict[str, Any], name: str) -> Iterator[dict[str, Any]]:
    buckets = (aggregations.get(name) or {}).get("buckets", [])
    # Same order as the FTS5 backend: most cases first, then by value.
    yield from sorted(buckets, key=lambda b: (-int(b["doc_count"]), str(b["key"])))
