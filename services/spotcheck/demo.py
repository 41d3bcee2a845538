"""Demo data of the embedded suite: 520 targets across the four risk classes, 20 inspectors of two
departments with a few declared conflicts, and one published plan ready to draw with the seed
``duban-demo-seed`` (its commitment is that seed's SHA-256)."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from services.spotcheck import handlers, store
from services.spotcheck.handlers import Spotcheck
from services.spotcheck.imports import store_targets
from services.spotcheck.model import new_target
from services.spotcheck.uscc import _organisation_check, check_character
from shared.roles import INSPECTOR, Principal

SEED = "duban-demo-seed"
PLANNER = Principal("inspector", frozenset({INSPECTOR}), display_name="督查员")
INDUSTRIES = ("餐饮服务", "食品销售", "药品零售", "特种设备", "建材销售")
DISTRICTS = ("110101", "110102", "110105", "110106")
SURNAMES = "王李张刘陈杨赵黄周吴"
# (code, name, department, legal basis, key item)
CHECK_ITEMS = (
    ("SC-SP-01", "企业公示信息情况检查", "scjg", "《企业信息公示暂行条例》第14条", False),
    ("SC-SP-02", "食品经营者食品安全状况检查", "scjg", "《中华人民共和国食品安全法》第110条", True),
    ("HJ-PW-01", "排污单位执行排污许可情况检查", "sthj", "《排污许可管理条例》第34条", False),
)


def demo_uscc(n: int) -> str:
    while _organisation_check(organisation := f"{n:08d}") == "X":
        n += 10_000_000
    first17 = "91110101" + organisation + _organisation_check(organisation)
    return first17 + check_character(first17)


def seed_demo(spotcheck: Spotcheck) -> str | None:
    """Load the demo directories and plan once (skipped if any target exists)."""
    with spotcheck.db.read() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(store.targets)).scalar_one():
            return None
    classes = "A" * 6 + "B" * 3 + "C" * 2 + "D"  # roughly a city's mix, with enough high-risk firms to see
    targets = [new_target(uscc=demo_uscc(n), name=f"示范{INDUSTRIES[n % 5][:2]}企业{n:03d}", region=DISTRICTS[n % 4],
                          industry=INDUSTRIES[n % 5], risk_class=classes[n % 12], abnormal=n % 37 == 0,
                          complaints=n % 7 // 3) for n in range(520)]
    store_targets(spotcheck.db, targets, actor=PLANNER.actor, progress=lambda _n: None)
    for code, name, department, basis, key in CHECK_ITEMS:
        handlers.save_check_item(spotcheck, principal=PLANNER, code=code, name=name, department=department,
                                 legal_basis=basis, key=key)
    for n in range(20):
        department = ("scjg", "sthj")[n % 2]
        handlers.add_inspector(spotcheck, principal=PLANNER, name=f"{SURNAMES[n % 10]}执法{n:02d}",
                               department=department, certificate_no=f"ZF11{n:06d}", region=DISTRICTS[n % 4],
                               qualifications=[c for c, _n, d, _b, _k in CHECK_ITEMS if d == department],
                               conflicts=[demo_uscc(n * 7)] if n % 5 == 0 else [])
    plan = handlers.create_plan(spotcheck, principal=PLANNER, name="2026年第四季度食品经营双随机联合抽查",
                                departments=["scjg", "sthj"], check_items=["SC-SP-02", "HJ-PW-01"],
                                population_filter={"industries": ["餐饮服务", "食品销售"]},
                                commitment={"kind": "sha256", "value": hashlib.sha256(SEED.encode()).hexdigest()})
    handlers.publish_plan(spotcheck, principal=PLANNER, plan_id=plan.id)
    return f"520 targets, 20 inspectors, plan {plan.id} published (draw it with the seed {SEED!r})"
