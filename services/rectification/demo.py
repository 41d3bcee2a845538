"""Demo data of the embedded suite: notices in every state of their life, and 好差评 reviews from an approval
system, from a good one to a bad one rectified and rated, so every list and figure has something to show."""

from __future__ import annotations

import sqlalchemy as sa

from services.rectification import handlers, review_handlers, store
from services.rectification.handlers import Rectification
from services.rectification.reviews import Response
from shared.roles import DEPARTMENT, DISPATCHER, INSPECTOR, Principal

INSPECTOR_ = Principal("inspector", frozenset({INSPECTOR}), display_name="督查员")
OFFICE = Principal("dispatcher", frozenset({DISPATCHER}), display_name="派单员")
SYSTEM = Principal("zwfw-system", frozenset({DEPARTMENT}), frozenset({"zjj", "scjg", "cgj"}), "政务服务网")

# (department, findings, requirements, how far it got)
NOTICES = (
    ("cgj", "占道经营投诉三个月内反复发生，巡查记录缺失", "建立早晚高峰巡查台账，每周报送", "issued"),
    ("zjj", "建筑工地夜间施工噪音投诉办理超期", "落实夜间施工审批与现场巡查", "acknowledged"),
    ("scjg", "食品经营许可延续办理未一次性告知所需材料", "完善一次性告知清单并公示", "reported"),
    ("sthj", "群众反映的餐饮油烟扰民问题答复不实", "重新核查并如实答复", "closed"),
)
# (department, item, level, comment, how far its handling got)
REVIEWS = (
    ("scjg", "食品经营许可证核发", 5, "当场办结，服务热情", "recorded"),
    ("zjj", "建筑工程施工许可证核发", 2, "材料被退回三次，每次要求不一样", "pending_callback"),
    ("cgj", "户外广告设施设置审批", 1, "窗口人员态度差", "confirmed"),
    ("zjj", "商品房预售许可", 2, "办理时间比承诺的长", "closed"),
)


def seed_demo(r: Rectification) -> str | None:
    """Load the demo notices and reviews once (skipped if any notice exists)."""
    with r.db.read() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(store.notices)).scalar_one():
            return None
    for department, findings, requirements, stage in NOTICES:
        staff = Principal(f"dept-{department}", frozenset({DEPARTMENT}), frozenset({department}))
        notice = handlers.issue_manual(r, principal=INSPECTOR_, department=department, findings=findings,
                                       requirements=requirements)
        if stage == "issued":
            continue
        handlers.acknowledge(r, principal=staff, notice_id=notice.id)
        if stage == "acknowledged":
            continue
        handlers.report(r, principal=staff, notice_id=notice.id, measures="已完成整改，附整改前后对比材料", evidence=[])
        if stage == "closed":
            handlers.verify(r, principal=INSPECTOR_, notice_id=notice.id, passed=True, comment="现场复核，整改到位")
    for n, (department, item, level, comment, stage) in enumerate(REVIEWS, start=1):
        review, _ = review_handlers.review_item(r, principal=SYSTEM, system="zwfw", external_id=f"DEMO-{n:04d}",
                                                item_name=item, department=department, level=level,
                                                comment=comment, real_name=True)
        if stage in ("recorded", "pending_callback"):
            continue
        review_handlers.call_back(r, principal=OFFICE, review_id=review.id, confirmed=True, note="电话回访，反映属实")
        if stage == "closed":
            staff = Principal(f"dept-{department}", frozenset({DEPARTMENT}), frozenset({department}))
            review_handlers.respond(r, principal=staff, review_id=review.id, kind=Response.RECTIFY,
                                    text="压缩内部流转环节，承诺时限内办结并电话告知", evidence=[])
            review_handlers.rate(r, principal=OFFICE, review_id=review.id, level=4, comment="改进明显")
    return f"{len(NOTICES)} notices, {len(REVIEWS)} reviews from the approval system zwfw"
