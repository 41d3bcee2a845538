"""The hotline's screens (12345): operator console, dispatcher queues, department inbox, ticket pages.

Every page reads and writes through the hotline's API (``/api/hotline/v1``) with the user's token.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import lazy_gettext as _l

from gateway.ui import client
from gateway.ui.access import MenuEntry, ui_blueprint
from shared.roles import DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR

API = "/api/hotline/v1"

blueprint = ui_blueprint("ui_hotline", __name__)

MENU = (
    MenuEntry(_l("新建工单"), "ui_hotline.new_ticket", (OPERATOR,)),
    MenuEntry(_l("我的工单"), "ui_hotline.my_tickets", (OPERATOR,)),
    MenuEntry(_l("待派单"), "ui_hotline.dispatch_queue", (DISPATCHER,)),
    MenuEntry(_l("退单与延期审核"), "ui_hotline.reviews", (DISPATCHER,)),
    MenuEntry(_l("待回访"), "ui_hotline.callbacks", (DISPATCHER,)),
    MenuEntry(_l("本单位待办"), "ui_hotline.inbox", (DEPARTMENT,)),
    MenuEntry(_l("工单查询"), "ui_hotline.tickets", (OPERATOR, DISPATCHER, INSPECTOR, DEPARTMENT)),
)
START = {OPERATOR: "ui_hotline.new_ticket", DISPATCHER: "ui_hotline.dispatch_queue",
         DEPARTMENT: "ui_hotline.inbox"}


def departments() -> list[dict[str, Any]]:
    """Active departments tickets can go to (the hotline's replica of the directory), once per request."""
    if "ui_departments" not in g:
        g.ui_departments = [d for d in client.get(f"{API}/departments") if d.get("active", True)]
    found: list[dict[str, Any]] = g.ui_departments
    return found


def department_names() -> dict[str, str]:
    return {d["code"]: d["name"] for d in departments()}


from gateway.ui.hotline import operator, queues, tickets  # noqa: E402,F401  (their routes join the blueprint)
