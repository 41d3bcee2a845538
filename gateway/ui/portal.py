"""The public portal (公众门户): file a request online, check its status, read the department ranking and
the common questions (常见问题, the knowledge base's public articles).

Anonymous, server-rendered and usable without scripts on a phone. The pages call the services' public
APIs (no token; the client's address goes along for their rate limits); no page shows a citizen's
name, phone or address: the status shows what the hotline's public answer holds, minus the masked caller.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from gateway.ui import client
from gateway.ui.access import ui_blueprint
from gateway.ui.client import ServiceError
from gateway.ui.forms import PHONE, KeyedForm, apply_errors
from gateway.ui.hotline import vocab

blueprint = ui_blueprint("ui_portal", __name__)
MENU: tuple[Any, ...] = ()
START: dict[str, str] = {}

HOTLINE = "/api/hotline/v1/public"
RANKING = "/api/monitoring/v1/public/ranking"
FAQ_PAGE_SIZE = 20
# What the public may file online; 紧急 matters go to 110/119/120/122, not to a web form.
PUBLIC_TYPES = ("complaint", "help", "consultation", "report", "suggestion", "praise")


class RequestForm(KeyedForm):
    type = SelectField(_l("诉求类型"), choices=vocab.choices([(t, vocab.TYPES[t]) for t in PUBLIC_TYPES]))
    title = StringField(_l("标题"), validators=[DataRequired(_l("此项必填")), Length(
        min=2, max=200, message=_l("长度应为 %(min)d–%(max)d 个字"))])
    content = TextAreaField(_l("诉求内容"), validators=[DataRequired(_l("此项必填")), Length(
        min=10, max=5000, message=_l("长度应为 %(min)d–%(max)d 个字"))])
    phone = StringField(_l("联系电话"), validators=[DataRequired(_l("此项必填")), Regexp(
        PHONE, message=_l("不是有效的电话号码"))], render_kw={"inputmode": "tel", "autocomplete": "tel"})
    name = StringField(_l("姓名（可不填）"), validators=[Optional(), Length(max=100)],
                       render_kw={"autocomplete": "name"})
    address = StringField(_l("事发地址（可不填）"), validators=[Optional(), Length(max=300)])
    confidential = BooleanField(_l("保密（举报时保护举报人，查询时只显示办理状态）"))

    def body(self) -> dict[str, Any]:
        caller = {"phone": (self.phone.data or "").strip()}
        if self.name.data and self.name.data.strip():
            caller["name"] = self.name.data.strip()
        body = {"type": self.type.data, "title": self.title.data, "content": self.content.data, "caller": caller,
                "confidential": bool(self.confidential.data)}
        if self.address.data and self.address.data.strip():
            body["address"] = self.address.data.strip()
        return body


RENAMES = {"caller.phone": "phone", "caller.name": "name", "caller": "phone"}


@blueprint.get("/")
def index() -> Any:
    """The portal's front page: what one can do here, and the status lookup at hand."""
    return render_template("ui/portal/index.html")


@blueprint.route("/file", methods=["GET", "POST"])
def file_request() -> Any:
    """网上诉求: the form; on success the number and query code, and nothing of what was typed."""
    form = RequestForm()
    if request.method == "POST":
        if form.validate():
            try:
                filed = client.call("POST", f"{HOTLINE}/tickets", body=form.body(), anonymous=True,
                                    idempotency_key=form.idempotency_key.data)
            except ServiceError as error:
                if error.status == 429:
                    form.form_errors.append(_("提交过于频繁，请稍后再试。"))
                elif error.status == 422:
                    apply_errors(form, error, RENAMES)
                else:
                    raise
            else:
                return render_template("ui/portal/filed.html", filed=filed), 201
        return render_template("ui/portal/file.html", form=form), 422
    return render_template("ui/portal/file.html", form=form)


@blueprint.get("/status")
def status() -> Any:
    """办理查询 by ticket number and query code (a link may carry both)."""
    number = request.args.get("number", "").strip()[:20]
    code = request.args.get("code", "").strip()[:12]
    found, problem = None, None
    if number or code:
        try:
            found = client.call("GET", f"{HOTLINE}/status", query={"number": number, "code": code}, anonymous=True)
        except ServiceError as error:
            if error.status == 429:
                problem = _("查询过于频繁，请一分钟后再试。")
            elif error.status in (404, 422):
                problem = _("未找到该工单，请核对工单编号和查询码。")
            else:
                raise
    return render_template("ui/portal/status.html", number=number, code=code, found=found, problem=problem,
                           vocab=vocab), 200 if problem is None else 404


@blueprint.get("/ranking")
def ranking() -> Any:
    """单位排名: the quarter's efficiency ranking, department figures only."""
    period = (request.args.get("period") or "").strip()[:20] or None
    try:
        found = client.call("GET", RANKING, query={"period": period}, anonymous=True)
    except ServiceError as error:
        if error.status not in (422, 429):
            raise
        found, period = client.call("GET", RANKING, anonymous=True), None
    return render_template("ui/portal/ranking.html", ranking=found)


@blueprint.get("/faq")
def faq() -> Any:
    """常见问题: the knowledge base's published public articles, searchable; internal ones never reach here."""
    args = request.args
    q = args.get("q", "").strip()[:100]
    query = {"q": q or None, "page": max(args.get("page", 1, type=int) or 1, 1), "page_size": FAQ_PAGE_SIZE}
    try:
        found = client.call("GET", f"{HOTLINE}/knowledge", query=query, anonymous=True)
    except ServiceError as error:
        if error.status not in (422, 429):
            raise
        problem = _("查询过于频繁，请一分钟后再试。") if error.status == 429 else _("查询条件有误，请修改后再试。")
        return render_template("ui/portal/faq.html", found=None, q=q, args=args, problem=problem), error.status
    return render_template("ui/portal/faq.html", found=found, q=q, args=args, problem=None)
