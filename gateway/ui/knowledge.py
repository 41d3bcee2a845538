"""知识库 (the 12345 knowledge base): staff find answers; a department drafts its own articles and new
versions of them; the hotline office (dispatcher or admin) publishes and retires. Every page reads and
writes ``/api/hotline/v1/knowledge``; the service decides who may do what and its refusals show in place."""

from __future__ import annotations

from typing import Any

import nh3
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from gateway.ui import client
from gateway.ui.access import MenuEntry, current_user, signed_in, ui_blueprint
from gateway.ui.client import ServiceError
from gateway.ui.forms import KeyedForm, apply_errors, length, required, send
from gateway.ui.hotline import departments
from gateway.ui.hotline.vocab import choices
from shared.roles import ADMIN, DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR

API = "/api/hotline/v1/knowledge"
PAGE_SIZE = 20
STAFF = (OPERATOR, DISPATCHER, INSPECTOR, DEPARTMENT)
WRITERS = (DEPARTMENT, DISPATCHER)
OFFICE = (DISPATCHER,)  # the hotline office (热线办); an admin holds every role's rights

blueprint = ui_blueprint("ui_knowledge", __name__)
# One entry in the navigation; the corrections and figures are linked from the knowledge base's own page.
MENU = (MenuEntry(_l("知识库"), "ui_knowledge.articles", STAFF),)
SUPERVISORS = (DEPARTMENT, DISPATCHER, INSPECTOR)
START: dict[str, str] = {}

STATUSES = {"published": _l("已发布"), "draft": _l("草稿"), "retired": _l("已停用")}
CORRECTION_STATUSES = {"open": _l("待纠错"), "done": _l("已完成")}
FIELD_LABELS = {"question": _l("问题表述"), "answer": _l("答复口径"), "category": _l("分类"),
                "legal_basis": _l("政策依据"), "document_number": _l("文号"), "effective_from": _l("生效日期"),
                "review_by": _l("复审日期"), "keywords": _l("关键词"), "public": _l("公开")}
CHANGES = {"drafted": _l("起草"), "updated": _l("修改"), "superseded": _l("被新版本取代"), "published": _l("发布"),
           "retired": _l("停用")}
CONTENT = ("question", "answer", "category", "legal_basis", "document_number", "effective_from", "review_by",
           "keywords", "public")


class ArticleForm(KeyedForm):
    question = StringField(_l("问题表述"), validators=[required(), length(4, 300)])
    answer = TextAreaField(_l("答复口径"), validators=[required(), length(2, 20_000)])
    category = StringField(_l("分类"), validators=[Optional(), length(0, 50)])
    legal_basis = StringField(_l("政策依据"), validators=[Optional(), length(0, 500)])
    document_number = StringField(_l("文号"), validators=[Optional(), length(0, 100)])
    effective_from = DateField(_l("生效日期"), validators=[Optional()])
    review_by = DateField(_l("复审日期"), validators=[InputRequired(_l("此项必填"))])
    keywords = StringField(_l("关键词（以空格或分号分隔）"), validators=[Optional(), length(0, 400)])
    public = BooleanField(_l("公开（在公众常见问题中显示）"))

    def body(self) -> dict[str, Any]:
        words = [w for w in self.keywords.data.replace("；", " ").replace(";", " ").split() if w] \
            if self.keywords.data else []
        return {"question": self.question.data.strip(), "answer": self.answer.data,
                "category": (self.category.data or "").strip(), "legal_basis": (self.legal_basis.data or "").strip(),
                "document_number": (self.document_number.data or "").strip(),
                "effective_from": self.effective_from.data.isoformat() if self.effective_from.data else None,
                "review_by": self.review_by.data.isoformat() if self.review_by.data else None,
                "keywords": words, "public": bool(self.public.data)}


class NewArticleForm(ArticleForm):
    department = SelectField(_l("主管单位"), validators=[required()], choices=[])


class RetireForm(KeyedForm):
    reason = TextAreaField(_l("停用理由"), validators=[required(), length(2, 2000)])


class CompleteForm(KeyedForm):
    resolution = TextAreaField(_l("纠错情况（已修订条目，或答复无误的理由）"), validators=[required(), length(2, 2000)])


@blueprint.app_template_filter("sanitised")
def sanitised(answer: str) -> Markup:
    """An answer's rich text: sanitised by the service already, and once more here before it is trusted."""
    return Markup(nh3.clean(answer or ""))


@blueprint.app_template_filter("marked")
def marked(snippet: str) -> Markup:
    """A list snippet (escaped by the service, matched words in <mark>) with nothing but <mark> let through."""
    return Markup(nh3.clean(snippet or "", tags={"mark"}, attributes={}))


def _context() -> dict[str, Any]:
    user = current_user()
    return {"statuses": STATUSES, "changes": CHANGES, "field_labels": FIELD_LABELS, "user": user,
            "supervises": user is not None and user.has_any(*SUPERVISORS)}



def _own_departments() -> list[tuple[str, str]]:
    """The departments the user may write for: their own, or any for the hotline office."""
    user = current_user()
    every = [(d["code"], d["name"]) for d in departments()]
    if user is not None and user.has_any(DISPATCHER, ADMIN):
        return every
    mine = user.departments if user is not None else frozenset()
    return [(code, name) for code, name in every if code in mine]


def _new_form() -> NewArticleForm | None:
    user = current_user()
    if user is None or not user.has_any(*WRITERS):
        return None
    form = NewArticleForm(prefix="new")
    form.department.choices = choices([("", _("请选择")), *_own_departments()])
    return form


# -- the list ------------------------------------------------------------------------------------------
@blueprint.get("/knowledge")
@signed_in(*STAFF)
def articles() -> Any:
    """知识库: search (Chinese words, synonyms), by status, past-review only; paged by the service."""
    return _list_page(_new_form())


def _list_page(form: NewArticleForm | None, status: int = 200) -> Any:
    args = request.args
    query = {"q": args.get("q", "").strip()[:100] or None, "status": args.get("status") or None,
             "department": args.get("department") or None,
             "review_overdue": "true" if args.get("review_overdue") else None}
    page = max(args.get("page", 1, type=int) or 1, 1)
    try:
        found = client.get(API, page=page, page_size=PAGE_SIZE, **query)
    except ServiceError as error:
        if error.status != 422:
            raise
        flash(_("筛选条件有误：%(m)s", m=error.message), "warning")
        found = {"items": [], "page": 1, "page_size": PAGE_SIZE, "total": 0}
    return render_template("ui/knowledge/articles.html", found=found, args=args, new=form,
                           departments=[(d["code"], d["name"]) for d in departments()], **_context()), status


@blueprint.post("/knowledge")
@signed_in(*WRITERS)
def create() -> Any:
    """编写知识条目: version 1, a draft, until the hotline office publishes it."""
    form = _new_form()
    assert form is not None
    if form.validate():
        try:
            created = client.post(API, {"department": form.department.data, **form.body()},
                                  idempotency_key=form.idempotency_key.data)
        except ServiceError as error:
            if error.status not in (409, 422):
                raise
            apply_errors(form, error)
        else:
            flash(_("知识条目已保存为草稿，待热线办发布。"), "success")
            return redirect(url_for("ui_knowledge.article", article_id=created["id"]))
    return _list_page(form, 422)


# -- one article -----------------------------------------------------------------------------------------
def _may_write(article: dict[str, Any]) -> bool:
    user = current_user()
    return user is not None and (user.has_any(DISPATCHER, ADMIN)
                                 or (user.has_any(DEPARTMENT) and article["department"] in user.departments))


def _revise_form(article: dict[str, Any]) -> ArticleForm:
    """The newest version's text, to be changed into the next draft."""
    head = article["versions"][-1] if article["versions"] else {}
    form = ArticleForm(prefix="revise")
    if request.method == "GET":
        from datetime import date

        for name in CONTENT:
            value = head.get(name)
            if name == "keywords":
                value = " ".join(value or [])
            elif name in ("review_by", "effective_from") and value:
                value = date.fromisoformat(value)
            getattr(form, name).data = value
    return form


def _article_page(article_id: str, *, revise: ArticleForm | None = None, retire: RetireForm | None = None,
                  status: int = 200) -> Any:
    article = client.get(f"{API}/{article_id}")
    user = current_user()
    office = user is not None and user.has_any(*OFFICE)
    writes = _may_write(article) and article["status"] != "retired"
    return render_template(
        "ui/knowledge/article.html", article=article,
        revise=revise or (_revise_form(article) if writes else None),
        retire=retire or (RetireForm(prefix="retire") if office and article["status"] != "retired" else None),
        may_publish=office and article.get("draft_version") is not None,
        open_form="revise" if revise else ("retire" if retire else None), **_context()), status


@blueprint.get("/knowledge/<article_id>")
@signed_in(*STAFF)
def article(article_id: str) -> Any:
    """知识条目: the version in force, a pending draft, every version with who changed what."""
    return _article_page(article_id)


@blueprint.post("/knowledge/<article_id>/revise")
@signed_in(*WRITERS)
def revise(article_id: str) -> Any:
    """修订: a new draft version; the published one stays in force until the office publishes this one."""
    form = ArticleForm(prefix="revise")
    if form.validate():
        try:
            client.call("PATCH", f"{API}/{article_id}", body=form.body())
        except ServiceError as error:
            if error.status not in (409, 422):
                raise
            apply_errors(form, error)
        else:
            flash(_("新版本已保存为草稿，待热线办发布。"), "success")
            return redirect(url_for("ui_knowledge.article", article_id=article_id))
    return _article_page(article_id, revise=form, status=422)


@blueprint.post("/knowledge/<article_id>/publish")
@signed_in(*OFFICE)
def publish(article_id: str) -> Any:
    """发布 the pending draft; the version in force until now is retired (kept in the history)."""
    try:
        client.post(f"{API}/{article_id}/publish", {})
    except ServiceError as error:
        if error.status not in (409, 422):
            raise
        flash(error.message, "warning")
    else:
        flash(_("已发布。"), "success")
    return redirect(url_for("ui_knowledge.article", article_id=article_id))


@blueprint.post("/knowledge/<article_id>/retire")
@signed_in(*OFFICE)
def retire(article_id: str) -> Any:
    """停用 the whole article: operators and the public no longer see it."""
    form = RetireForm(prefix="retire")
    if form.validate() and send(form, f"{API}/{article_id}/retire", {"reason": form.reason.data}):
        flash(_("知识条目已停用。"), "success")
        return redirect(url_for("ui_knowledge.article", article_id=article_id))
    return _article_page(article_id, retire=form, status=422)


# -- corrections -----------------------------------------------------------------------------------------
@blueprint.get("/knowledge/corrections")
@signed_in(*SUPERVISORS)
def corrections() -> Any:
    """纠错任务: answers a caller said were wrong, for the owning department to fix (or say why they stand)."""
    return _corrections_page()


def _corrections_page(failed: tuple[str, CompleteForm] | None = None) -> Any:
    args = request.args
    query = {"status": args.get("status") or None, "department": args.get("department") or None}
    page = max(args.get("page", 1, type=int) or 1, 1)
    found = client.get(f"{API}/corrections", page=page, page_size=PAGE_SIZE, **query)
    user = current_user()
    forms = {c["id"]: (failed[1] if failed and failed[0] == c["id"] else CompleteForm(prefix="complete"))
             for c in found["items"] if c["status"] == "open" and user is not None
             and (user.has_any(DISPATCHER, ADMIN) or c["department"] in user.departments)}
    return render_template("ui/knowledge/corrections.html", found=found, args=args, forms=forms,
                           correction_statuses=CORRECTION_STATUSES,
                           departments=[(d["code"], d["name"]) for d in departments()]), 422 if failed else 200


@blueprint.post("/knowledge/corrections/<correction_id>/complete")
@signed_in(*WRITERS)
def complete(correction_id: str) -> Any:
    """完成纠错: what was done; the correction's clock stops."""
    form = CompleteForm(prefix="complete")
    if form.validate() and send(form, f"{API}/corrections/{correction_id}/complete",
                                {"resolution": form.resolution.data}):
        flash(_("纠错任务已完成。"), "success")
        return redirect(url_for("ui_knowledge.corrections"))
    return _corrections_page(failed=(correction_id, form))


# -- figures ---------------------------------------------------------------------------------------------
@blueprint.get("/knowledge/figures")
@signed_in(*SUPERVISORS)
def figures() -> Any:
    """一次办结率 and unanswered questions for a period (the quarter by default), articles by freshness; a
    department sees its own figures (the service decides)."""
    period = request.args.get("period", "").strip()[:20] or None
    try:
        found = client.get("/api/hotline/v1/stats", period=period)
    except ServiceError as error:
        if error.status != 422:
            raise
        flash(_("统计期间有误：%(m)s", m=error.message), "warning")
        found = client.get("/api/hotline/v1/stats")
    return render_template("ui/knowledge/figures.html", stats=found, figures=found["knowledge"], period=period)


@blueprint.get("/knowledge/figures/summary")
@signed_in(INSPECTOR, DISPATCHER)
def figures_summary() -> Any:
    """The quarter's first-call resolution and articles past review, as a fragment of the inspector's board."""
    found = client.get("/api/hotline/v1/stats")
    return render_template("ui/knowledge/_summary.html", stats=found, figures=found["knowledge"])
