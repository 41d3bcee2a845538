"""Search HTTP API for staff: thin views over the use cases."""

from __future__ import annotations

from typing import Any

from services.search import handlers
from services.search import schemas as s
from services.search.backend import CasePage, Hit, highlight
from services.search.handlers import Search
from services.search.model import Scope
from services.search.rules import KIND_LABELS
from services.search.segment import Clause
from services.search.similar import probe_clauses, similar_cases
from shared.appcontext import service_context
from shared.auth import require_principal
from shared.web import Blueprint

blp = Blueprint("search", __name__, url_prefix="/api/search/v1",
                description="案件检索：工单、黄红牌、预警、整改通知书、抽查（仅限工作人员，按单位权限过滤）")


def _search() -> Search:
    search: Search = service_context()
    return search


def present(hit: Hit, clauses: tuple[Clause, ...], scope: Scope) -> dict[str, Any]:
    doc = hit.document
    item = {"kind": doc.kind.value, "kind_label": KIND_LABELS[doc.kind], "id": doc.id, "number": doc.number,
            "title": doc.title, "highlight": highlight(doc, clauses), "score": hit.score,
            "department": doc.departments[0] if doc.departments else None, "departments": list(doc.departments),
            "status": doc.status, "region": doc.region, "tags": list(doc.tags), "at": doc.at}
    if doc.address and scope.sees_address_of(doc.departments):
        item["address"] = doc.address
    return item


def present_page(result: CasePage, clauses: tuple[Clause, ...], scope: Scope, *, page: int,
                 page_size: int) -> dict[str, Any]:
    return {"items": [present(h, clauses, scope) for h in result.hits], "page": page, "page_size": page_size,
            "total": result.total,
            "facets": {name: [{"value": v, "count": n} for v, n in values] for name, values in result.facets.items()}}


@blp.route("/similar", methods=["POST"])
@blp.arguments(s.SimilarQuerySchema)
@blp.response(200, s.SimilarListSchema)
def similar(body: dict[str, Any]) -> dict[str, Any]:
    """相似工单（并单候选） / open tickets the text may duplicate, or from the same phone (hotline office).

    Asked by the console while the operator types, instead of by the filing: the phone travels in the body,
    never in a URL, and the index compares only its keyed hash.
    """
    principal = require_principal()
    suggestions = similar_cases(_search(), principal=principal, **body)
    clauses = probe_clauses(body["text"])
    return {"items": [{"kind": s.document.kind.value, "id": s.document.id, "number": s.document.number,
                       "title": s.document.title, "status": s.document.status, "at": s.document.at,
                       "score": s.score, "same_caller": s.same_caller,
                       "highlight": highlight(s.document, clauses)} for s in suggestions]}


@blp.route("/cases")
@blp.arguments(s.CaseQuerySchema, location="query")
@blp.response(200, s.CasePageSchema)
def cases(args: dict[str, Any]) -> dict[str, Any]:
    """案件检索 / search cases: words, filters, facets, highlights; department staff find their own only"""
    principal = require_principal()
    query = handlers.build_query(_search(), **args)
    result, scope = handlers.search_cases(_search(), principal=principal, query=query)
    return present_page(result, query.clauses, scope, page=query.page, page_size=query.page_size)
