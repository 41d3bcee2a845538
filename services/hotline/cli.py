"""Hotline command-line helpers: the ``duban hotline`` commands, and demo tickets for the embedded suite."""

from __future__ import annotations

import sqlalchemy as sa

from services.hotline import handlers, knowledge_demo, store
from services.hotline.category_demo import DEMO_CATEGORIES
from services.hotline.category_store import seed_categories
from services.hotline.handlers import Hotline
from shared.auth import DEPARTMENT, DISPATCHER, OPERATOR, Principal

OPERATOR_USER = Principal("operator", frozenset({OPERATOR}), display_name="话务员")
DISPATCHER_USER = Principal("dispatcher", frozenset({DISPATCHER}), display_name="派单员")


def _department(code: str) -> Principal:
    return Principal(f"dept-{code}", frozenset({DEPARTMENT}), frozenset({code}))


# (type, urgency, utility, title, content, caller, address, lead, how far it gets)
DEMO_TICKETS = [
    ("complaint", "general", False, "小区楼下餐馆油烟扰民",
     "朝阳路88号小区一楼餐馆排烟管道直排，油烟和噪音严重影响居民休息，多次沟通无果。",
     ("王女士", "13800138001"), "东城区朝阳路88号", "sthj", "dispatched"),
    ("help", "emergency", True, "幸福里小区突然停水",
     "幸福里小区3号楼从早上开始停水，没有任何通知，老人孩子用水困难。",
     ("李先生", "13900139002"), "东城区幸福里3号楼", "swjt", "signed"),
    ("complaint", "general", False, "建筑工地夜间施工噪音",
     "滨江路工地每晚十一点后仍在施工，打桩声音很大，请求查处。",
     ("赵先生", "13700137003"), "西城区滨江路工地", "zjj", "replied"),
    ("report", "general", False, "超市销售过期食品",
     "人民路某超市货架上有过期酸奶在售，已拍照留存。",
     ("匿名", "13600136004"), "东城区人民路12号", "scjg", "closed"),
    ("consultation", "general", False, "灵活就业人员社保缴费咨询",
     "咨询灵活就业人员如何办理养老保险缴费，需要哪些材料。",
     ("陈女士", "13500135005"), "", None, "answered"),
    ("suggestion", "complex", False, "建议增设公交线路",
     "新城片区到市中心没有直达公交，建议增设一条线路，方便上班族通勤。",
     ("周先生", "13400134006"), "新城区", "jtj", "received"),
]

DEMO_TICKET_CATEGORIES = ("air-pollution", "water-supply", "noise-construction", "food-safety", "social-insurance",
                          "bus")
# District codes (GB/T 2260) of the demo city's districts, by the name an address starts with.
DEMO_REGIONS = {"东城区": "110101", "西城区": "110102", "新城区": "110115"}


def seed_demo_tickets(hotline: Hotline) -> str:
    """The demo taxonomy, then the demo tickets, each moved as far as its scenario says (both skipped
    when already there)."""
    categories = seed_categories(hotline.db, DEMO_CATEGORIES, actor="cli:seed-demo")
    return f"{categories} categories, {_seed_tickets(hotline)} tickets"


def _seed_tickets(hotline: Hotline) -> int:
    with hotline.db.read() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(store.tickets)).scalar_one():
            return 0
    for (type_, urgency, utility, title, content, (name, phone), address, lead, stage), category in zip(
            DEMO_TICKETS, DEMO_TICKET_CATEGORIES, strict=True):
        ticket = handlers.file_ticket(
            hotline, principal=OPERATOR_USER, type=type_, urgency=urgency, channel="phone", title=title,
            content=content, caller={"name": name, "phone": phone}, address=address, utility=utility,
            category=category,
            region=next((code for name_, code in DEMO_REGIONS.items() if address.startswith(name_)), None))
        if stage == "answered":
            handlers.answer(hotline, principal=OPERATOR_USER, ticket_id=ticket.id,
                            knowledge_id=knowledge_demo.article_id(hotline, "灵活就业人员如何缴纳社保？"),
                            content="已告知可通过社保服务平台办理，所需材料为身份证和银行卡。")
            continue
        if stage == "received" or lead is None:
            continue
        handlers.dispatch(hotline, principal=DISPATCHER_USER, ticket_id=ticket.id, lead_department=lead,
                          co_departments=["cgj"] if lead == "sthj" else [])
        if stage == "dispatched":
            continue
        staff = _department(lead)
        handlers.sign(hotline, principal=staff, ticket_id=ticket.id)
        if stage == "signed":
            continue
        handlers.reply(hotline, principal=staff, ticket_id=ticket.id,
                       content="经现场核查，已责令施工单位夜间停止高噪声作业，并将持续巡查。")
        if stage == "closed":
            handlers.record_callback(hotline, principal=DISPATCHER_USER, ticket_id=ticket.id,
                                     satisfaction="satisfied", note="市民认可处理结果")
    return len(DEMO_TICKETS)


def seed_demo(hotline: Hotline) -> str:
    """The demo taxonomy and knowledge base, then the demo tickets (a consultation answered from an
    article) and consultations answered from articles or dispatched; each skipped when already there."""
    categories = seed_categories(hotline.db, DEMO_CATEGORIES, actor="cli:seed-demo")
    articles = knowledge_demo.seed_demo_articles(hotline)
    tickets = _seed_tickets(hotline)
    if tickets:
        tickets += knowledge_demo.seed_demo_consultations(hotline, operator=OPERATOR_USER,
                                                           dispatcher=DISPATCHER_USER)
    return f"{categories} categories, {articles} knowledge articles, {tickets} tickets"
