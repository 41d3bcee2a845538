"""The public's 好差评 pages: rate a closed ticket with its number and query code, and read the published
feedback (整改与评价公开) per department. Anonymous; no page shows anything of a person."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from gateway.ui import client
from gateway.ui.access import ui_blueprint
from gateway.ui.client import ServiceError
from gateway.ui.forms import KeyedForm, apply_errors, length, required
from gateway.ui.hotline.vocab import choices
from gateway.ui.rectification.steps import LEVELS

API = "/api/rectification/v1"
blueprint = ui_blueprint("ui_feedback", __name__)
MENU: tuple[Any, ...] = ()
START: dict[str, str] = {}


class ReviewForm(KeyedForm):
    number = StringField(_l("工单编号"), validators=[required(), length(1, 40)])
    code = StringField(_l("查询码"), validators=[required(), length(4, 12)], render_kw={"autocomplete": "off"})
    level = RadioField(_l("您对办理结果的评价"), choices=choices(LEVELS), validators=[InputRequired(_l("请选择评价"))])
    comment = TextAreaField(_l("意见和建议（可不填）"), validators=[Optional(), length(0, 1000)])

    def body(self) -> dict[str, Any]:
        return {"number": self.number.data.strip(), "code": self.code.data.strip(), "level": int(self.level.data),
                "comment": self.comment.data or ""}


@blueprint.route("/review", methods=["GET", "POST"])
def review() -> Any:
    """好差评: a closed ticket is rated once; a bad review is called back and handled, and the rater is asked
    how it was fixed."""
    form = ReviewForm(number=request.args.get("number", "")[:40])
    if request.method == "GET":
        return render_template("ui/rectification/public_review.html", form=form)
    if form.validate():
        try:
            receipt = client.call("POST", f"{API}/reviews", body=form.body(), anonymous=True,
                                  idempotency_key=form.idempotency_key.data)
        except ServiceError as error:
            if error.status == 429:
                form.form_errors.append(_("提交过于频繁，请稍后再试。"))
            elif error.status == 404:
                form.form_errors.append(_("未找到可评价的工单：请核对工单编号和查询码（工单办结后才能评价）。"))
            elif error.status in (409, 422):
                apply_errors(form, error)
            else:
                raise
        else:
            return render_template("ui/rectification/public_reviewed.html", receipt=receipt), 201
    return render_template("ui/rectification/public_review.html", form=form), 422


@blueprint.get("/feedback")
def feedback() -> Any:
    """整改与评价公开: per department, notices closed and on time, reviews by level, bad ones rectified."""
    try:
        items = client.call("GET", f"{API}/public/stats", anonymous=True)["items"]
    except ServiceError as error:
        if error.status != 429:
            raise
        items = None
    return render_template("ui/rectification/public_feedback.html", items=items, levels=LEVELS)
