"""案件检索: one search over every service's cases (the search service's index), with facets and highlights.
The service scopes the results to the caller: a department finds its own cases only."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.ui import client
from gateway.ui.access import MenuEntry, signed_in, ui_blueprint
from gateway.ui.client import ServiceError
from gateway.ui.hotline import department_names
from shared.roles import DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR

API = "/api/search/v1"
PAGE_SIZE = 20
STAFF = (OPERATOR, DISPATCHER, INSPECTOR, DEPARTMENT)

blueprint = ui_blueprint("ui_search", __name__)
MENU = (MenuEntry(_l("案件检索"), "ui_search.cases", STAFF),)
START: dict[str, str] = {}

KINDS = {"ticket": _l("工单"), "card": _l("黄红牌"), "warning": _l("预警"), "notice": _l("整改通知书"),
         "review": _l("好差评"), "plan": _l("抽查计划"), "draw": _l("抽取结果"), "inspection": _l("检查结果"),
         "article": _l("知识库")}
FILTERS = ("kind", "department", "status")


def case_link(hit: dict[str, Any]) -> str | None:
    """Where a hit's own page is, for the kinds that have one."""
    from flask import url_for

    pages = {"ticket": ("ui_hotline.ticket", "ticket_id"), "notice": ("ui_rectification.notice", "notice_id"),
             "review": ("ui_rectification.review", "review_id"), "article": ("ui_knowledge.article", "article_id")}
    if hit["kind"] not in pages:
        return None
    endpoint, name = pages[hit["kind"]]
    return url_for(endpoint, **{name: hit["id"]})


@blueprint.get("/search")
@signed_in(*STAFF)
def cases() -> Any:
    """Words (Chinese or not) and filters; facets narrow the search, highlights show where the words are."""
    args = request.args
    page = max(args.get("page", 1, type=int) or 1, 1)
    query: dict[str, Any] = {name: args.getlist(name) or None for name in FILTERS}
    query.update({"q": args.get("q", "").strip() or None, "from": args.get("from") or None,
                  "to": args.get("to") or None, "sort": args.get("sort") or None})
    found = None
    if any(v for v in query.values()):
        try:
            found = client.get(f"{API}/cases", page=page, page_size=PAGE_SIZE, **query)
        except ServiceError as error:
            if error.status != 422:
                raise
            flash(_("检索条件有误：%(m)s", m=error.message), "warning")
    return render_template("ui/search/cases.html", found=found, args=args, kinds=KINDS, names=department_names(),
                           link=case_link)
