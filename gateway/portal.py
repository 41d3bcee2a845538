"""The public portal (公众门户): server-rendered pages that need no build step.

For now: the status lookup by ticket number + query code, reading the hotline's public API from the
browser, in Simplified Chinese with English available (``?lang=en``).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

portal = Blueprint("portal", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/static/portal")

TEXT = {
    "zh": {
        "title": "督办 · 12345 诉求查询", "brand": "督办", "tagline": "12345 政务服务便民热线 · 诉求办理查询",
        "number": "工单编号", "code": "查询码", "lookup": "查询", "status": "办理状态",
        "timeline": "办理过程", "department": "承办单位", "due": "办理时限", "caller": "诉求人",
        "confidential": "该工单为保密件，仅显示办理状态。", "hint": "工单编号和查询码见受理短信或话务员告知。",
        "staff": "工作人员入口", "api": "接口文档", "switch": "English", "switch_lang": "en",
        "error": "查询失败", "busy": "查询中…",
    },
    "en": {
        "title": "Duban · 12345 request status", "brand": "Duban", "tagline": "12345 citizen hotline · request status",
        "number": "Ticket number", "code": "Query code", "lookup": "Look up", "status": "Status",
        "timeline": "Progress", "department": "Handling department", "due": "Due", "caller": "Caller",
        "confidential": "This ticket is confidential: only its status is shown.",
        "hint": "The ticket number and query code are in the intake SMS or were read to you by the operator.",
        "staff": "For staff", "api": "API documents", "switch": "中文", "switch_lang": "zh",
        "error": "Lookup failed", "busy": "Looking up…",
    },
}


@portal.get("/")
def index() -> str:
    lang = "en" if request.args.get("lang") == "en" else "zh"
    return render_template("portal.html", t=TEXT[lang], lang=lang,
                           number=request.args.get("number", ""), code=request.args.get("code", ""))
