"""The spot-check service in the embedded suite: directories, a plan published with its commitment, the
draw with the revealed seed, and public records the stand-alone verifier replays."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.embedded import Suite, create_suite
from gateway.handlers import seed_demo
from gateway.registry import PARTS, Part
from services.spotcheck import verify_draw
from shared.roles import DEPARTMENT, INSPECTOR, OPERATOR, Principal
from shared.settings import Settings
from tests.passwords import fast_passwords
from tests.spotcheck.codes import uscc

API = "/api/spotcheck/v1"
SEED = "duban-demo-seed"
SPOTCHECK = Part("spotcheck", "services.spotcheck", routes="services.spotcheck.consumers:ROUTES",
                 rules="services.spotcheck.rules:RULE_SECTIONS")


@pytest.fixture
def suite(tmp_path, monkeypatch) -> Iterator[Suite]:
    monkeypatch.setitem(PARTS, "spotcheck", SPOTCHECK)
    settings = Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING")
    suite = create_suite(settings, overrides={"gateway": {"passwords": fast_passwords()}})
    seed_demo(suite.contexts["gateway"])
    suite.runtime.run_until_idle()  # the departments reach the spot-check replica
    yield suite
    suite.close()


class Client:
    def __init__(self, suite: Suite) -> None:
        self.suite, self.http = suite, suite.apps["spotcheck"].test_client()

    def headers(self, *roles: str, departments: tuple[str, ...] = ()) -> dict[str, str]:
        principal = Principal("u-" + "-".join(roles), frozenset(roles), frozenset(departments))
        return {"Authorization": f"Bearer {self.suite.tokens.issue(principal, now=datetime.now(UTC))}"}

    def post(self, path: str, body: Any = None, *roles: str, **kw: Any) -> Any:
        return self.http.post(API + path, json=body, headers=self.headers(*(roles or (INSPECTOR,)), **kw))

    def get(self, path: str, *roles: str, **kw: Any) -> Any:
        return self.http.get(API + path, headers=self.headers(*roles, **kw) if roles else {})


@pytest.fixture
def client(suite) -> Client:
    client = Client(suite)
    for n in range(60):
        response = client.post("/targets", {"uscc": uscc(n), "name": f"示范企业{n}", "region": f"1101{n % 3 + 1:02d}",
                                            "industry": "餐饮", "risk_class": "ABCD"[n % 4], "complaints": n % 3})
        assert response.status_code == 200, response.get_json()
    for n, department in enumerate(["scjg"] * 3 + ["sthj"] * 3):
        response = client.post("/inspectors", {"name": f"检查员{n}", "department": department,
                                               "certificate_no": f"ZF-{n:04d}", "region": "110101",
                                               "conflicts": [uscc(n)]})
        assert response.status_code == 201, response.get_json()
    return client


def plan(client: Client, **changes: Any) -> dict[str, Any]:
    body = {"name": "2026年第四季度食品安全双随机抽查", "departments": ["scjg", "sthj"],
            "commitment": {"kind": "sha256", "value": hashlib.sha256(SEED.encode()).hexdigest()},
            "ratios": {"A": 2000, "B": 2000, "C": 5000, "D": 10000}, **changes}
    response = client.post("/plans", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_a_published_plan_is_drawn_with_its_seed_and_anyone_can_replay_the_record(client):
    created = plan(client)
    published = client.post(f"/plans/{created['id']}/publish").get_json()
    assert published["status"] == "published" and len(published["population_sha256"]) == 64
    client.post("/targets", {"uscc": uscc(999), "name": "公布后新增", "region": "110101", "industry": "餐饮",
                             "risk_class": "D"})  # after publication: not in the frozen population

    drawn = client.post(f"/plans/{created['id']}/draw", {"seed": SEED})

    assert drawn.status_code == 200, drawn.get_json()
    record = drawn.get_json()
    assert record["population_sha256"] == published["population_sha256"]
    assert all(len(s["inspectors"]) == 2 and {i["department"] for i in s["inspectors"]} == {"scjg", "sthj"}
               for s in record["selections"])
    assert uscc(999) not in {s["target"]["uscc"] for s in record["selections"]}
    public_record = client.get(f"/public/draws/{record['id']}").get_json()  # anonymous
    population = client.get(f"/public/draws/{record['id']}/population").get_json()
    assert public_record == record
    assert all("name" not in i and i["pseudonym"].startswith("I-") for i in population["inspectors"])
    assert verify_draw.verify(public_record, population) is None
    tampered = {**public_record, "selections": public_record["selections"][1:]}
    assert "selections" in (verify_draw.verify(tampered, population) or "")


def test_a_seed_that_does_not_match_the_commitment_is_refused_and_a_second_draw_is_409(client, envelope):
    created = plan(client)
    client.post(f"/plans/{created['id']}/publish")

    envelope(client.post(f"/plans/{created['id']}/draw", {"seed": "not the seed"}), 422)
    assert client.post(f"/plans/{created['id']}/draw", {"seed": SEED}).status_code == 200
    envelope(client.post(f"/plans/{created['id']}/draw", {"seed": SEED}), 409)


def test_a_pool_too_small_for_the_teams_records_the_failure(client):
    created = plan(client, team_size=7)
    client.post(f"/plans/{created['id']}/publish")

    response = client.post(f"/plans/{created['id']}/draw", {"seed": SEED})

    assert response.status_code == 200 and response.get_json()["selections"] == []
    stored = client.get(f"/plans/{created['id']}", INSPECTOR).get_json()
    assert stored["status"] == "failed" and "eligible inspectors" in stored["draw_failed"]


def test_only_inspectors_plan_and_departments_see_their_own_plans(client, envelope):
    created = plan(client, departments=["scjg"])

    envelope(client.post("/plans", {"name": "x计划", "departments": ["scjg"],
                                    "commitment": {"kind": "beacon", "value": "12345"}}, OPERATOR), 403)
    mine = client.get("/plans", DEPARTMENT, departments=("scjg",)).get_json()
    theirs = client.get("/plans", DEPARTMENT, departments=("zjj",)).get_json()
    assert [p["id"] for p in mine["items"]] == [created["id"]] and theirs["items"] == []
    assert client.get("/public/plans").get_json()["items"] == []  # a draft is not public


def test_a_bad_target_is_refused_naming_the_check_character(client, envelope):
    bad = uscc(1)[:-1] + ("0" if uscc(1)[-1] != "0" else "1")

    body = envelope(client.post("/targets", {"uscc": bad, "name": "错误代码企业", "region": "110101",
                                             "industry": "餐饮", "risk_class": "A"}), 422)

    assert "uscc" in body["errors"]


def drawn_plan(client: Client) -> tuple[str, dict[str, Any]]:
    created = plan(client)
    client.post(f"/plans/{created['id']}/publish")
    record = client.post(f"/plans/{created['id']}/draw", {"seed": SEED}).get_json()
    return created["id"], record


def test_a_result_is_recorded_announced_and_published_with_the_team_by_name_and_certificate_only(client, suite):
    plan_id, record = drawn_plan(client)
    target = record["selections"][0]["target"]

    recorded = client.post(f"/plans/{plan_id}/results", {"uscc": target["uscc"], "category": "ordered_to_correct",
                                                         "summary": "后厨卫生不达标，已责令改正"},
                           DEPARTMENT, departments=("scjg",))
    assert recorded.status_code == 201, recorded.get_json()
    assert recorded.get_json()["finding"] is True and recorded.get_json()["department"] == "scjg"
    assert client.get(f"/public/plans/{plan_id}/results").get_json() == []  # not yet published
    published = client.post(f"/plans/{plan_id}/results/{target['uscc']}/publish", None, DEPARTMENT,
                            departments=("scjg",))
    assert published.status_code == 200, published.get_json()

    [public] = client.get(f"/public/plans/{plan_id}/results").get_json()
    assert public["category_label"] == "发现问题已责令改正"
    assert all(set(i) == {"name", "certificate_no"} for i in public["inspectors"])
    with suite.databases["spotcheck"].read() as conn:
        keys = [r[0] for r in conn.execute(sa.text("SELECT routing_key FROM outbox ORDER BY seq"))]
    assert keys[-4:] == ["spotcheck.result.recorded", "spotcheck.clock.started", "spotcheck.result.published",
                         "spotcheck.clock.stopped"]


def test_a_result_for_a_target_not_drawn_or_from_another_department_is_refused(client, envelope):
    plan_id, record = drawn_plan(client)
    drawn = {s["target"]["uscc"] for s in record["selections"]}
    not_drawn = next(uscc(n) for n in range(60) if uscc(n) not in drawn)

    envelope(client.post(f"/plans/{plan_id}/results", {"uscc": not_drawn, "category": "no_problem",
                                                       "summary": "未发现问题"}), 422)
    envelope(client.post(f"/plans/{plan_id}/results", {"uscc": sorted(drawn)[0], "category": "no_problem",
                                                       "summary": "未发现问题"}, DEPARTMENT,
                         departments=("zjj",)), 403)


def test_a_late_publication_earns_a_yellow_card_like_any_deadline(client, suite):
    from services.monitoring import store as monitoring_store
    from services.monitoring.sweep import sweep

    plan_id, record = drawn_plan(client)
    target = record["selections"][0]["target"]
    client.post(f"/plans/{plan_id}/results", {"uscc": target["uscc"], "category": "no_problem",
                                              "summary": "未发现问题"}, DEPARTMENT, departments=("sthj",))
    suite.runtime.run_until_idle()  # the clock command reaches monitoring

    monitoring = suite.contexts["monitoring"]
    with monitoring.db.read() as conn:
        clock = conn.execute(sa.select(monitoring_store.clocks).where(
            monitoring_store.clocks.c.subject_service == "spotcheck")).one()
    assert (clock.kind, clock.department, clock.limit_amount) == ("publication", "sthj", 20)
    sweep(monitoring, now=clock.due_at + timedelta(minutes=1))

    with monitoring.db.read() as conn:
        cards = conn.execute(sa.select(monitoring_store.cards.c.color, monitoring_store.cards.c.department)
                             .where(monitoring_store.cards.c.subject_service == "spotcheck")).all()
    assert [tuple(c) for c in cards] == [("yellow", "sthj")]


def test_after_a_draw_each_inspector_remembers_its_targets_and_the_next_plan_avoids_them(client):
    _plan_id, record = drawn_plan(client)
    first = record["selections"][0]
    names = {i["name"] for i in first["inspectors"]}

    listed = {i["name"]: i for i in client.get("/inspectors", INSPECTOR).get_json()}
    assert all(first["target"]["uscc"] in listed[name]["previous_targets"] for name in names)
    second = plan(client, name="复查计划", ratios={"A": 10000, "B": 10000, "C": 10000, "D": 10000})
    client.post(f"/plans/{second['id']}/publish")
    again = client.post(f"/plans/{second['id']}/draw", {"seed": SEED}).get_json()
    [repeat] = [s for s in again["selections"] if s["target"]["uscc"] == first["target"]["uscc"]]
    assert not names & {i["name"] for i in repeat["inspectors"]}


def test_a_plans_check_items_come_from_the_departments_lists_and_only_qualified_inspectors_serve(client, envelope):
    item = {"code": "SC-SP-02", "name": "食品经营者食品安全状况检查", "department": "scjg",
            "legal_basis": "《中华人民共和国食品安全法》第110条", "key": True}
    assert client.post("/check-items", item).status_code == 200
    envelope(client.post("/plans", {"name": "未知事项计划", "departments": ["scjg"], "check_items": ["NOPE-1"],
                                    "commitment": {"kind": "beacon", "value": "1"}}), 422)
    envelope(client.post("/check-items", {**item, "legal_basis": ""}), 422)
    qualified = {"name": "持证检查员", "department": "scjg", "certificate_no": "ZF-Q001", "region": "110101",
                 "qualifications": ["SC-SP-02"]}
    assert client.post("/inspectors", qualified).status_code == 201
    second = {**qualified, "name": "另一持证员", "certificate_no": "ZF-Q002"}
    assert client.post("/inspectors", second).status_code == 201

    created = plan(client, departments=["scjg"], check_items=["SC-SP-02"])
    client.post(f"/plans/{created['id']}/publish")
    record = client.post(f"/plans/{created['id']}/draw", {"seed": SEED}).get_json()

    assert {i["name"] for s in record["selections"] for i in s["inspectors"]} == {"持证检查员", "另一持证员"}
    assert record["parameters"]["check_items"] == {"scjg": ["SC-SP-02"]}
