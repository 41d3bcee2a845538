"""The category taxonomy (诉求分类): maintained by the admin over the API, picked at intake; and the
Open311 API keys, issued and revoked through the admin API and ``duban open311 keys``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gateway.cli import main
from services.hotline.category_demo import DEMO_CATEGORIES
from services.hotline.category_store import seed_categories
from services.hotline.open311_keys import client_of

CATEGORIES = "/api/hotline/v1/categories"
KEYS = "/api/hotline/v1/open311/keys"
LAMP = {"name": "路灯故障", "group": "市政设施", "keywords": ["路灯", "不亮"], "department": "cgj",
        "ticket_type": "help", "attributes": [
            {"code": "lamp_state", "description": "路灯状况", "datatype": "singlevaluelist", "required": True,
             "values": [{"key": "off", "name": "不亮"}, {"key": "flicker", "name": "闪烁"}]}]}


def test_the_demo_taxonomy_has_about_thirty_categories_each_with_an_active_demo_department(desk):
    seed_categories(desk.db, DEMO_CATEGORIES, actor="test")
    departments = {d["code"] for d in desk.get("/api/hotline/v1/departments", "operator").get_json()}

    page = desk.get(CATEGORIES, "operator", page_size=100).get_json()

    assert page["total"] == len(DEMO_CATEGORIES) >= 30
    assert {c["department"] for c in page["items"]} <= departments
    assert {"噪音", "水电气热", "市容环境"} <= {c["group"] for c in page["items"]}
    assert seed_categories(desk.db, DEMO_CATEGORIES, actor="test") == 0  # loaded once


def test_the_admin_creates_replaces_and_retires_a_category(desk):
    created = desk.client.put(f"{CATEGORIES}/lamp", json=LAMP, headers=desk.headers("admin"))
    assert created.status_code == 200, created.get_json()
    assert created.get_json()["attributes"][0]["values"] == [{"key": "off", "name": "不亮"},
                                                            {"key": "flicker", "name": "闪烁"}]

    retired = desk.client.put(f"{CATEGORIES}/lamp", json={**LAMP, "name": "路灯", "active": False},
                              headers=desk.headers("admin")).get_json()

    assert (retired["name"], retired["active"]) == ("路灯", False)
    assert desk.get(CATEGORIES, "operator").get_json()["total"] == 0
    assert desk.get(CATEGORIES, "operator", include_inactive="true").get_json()["total"] == 1
    assert [r.action for r in desk.audit_rows()][-2:] == ["category.created", "category.updated"]


@pytest.mark.parametrize("user", ["operator", "dispatcher", "dept-cgj", "inspector"])
def test_only_the_admin_maintains_categories(desk, envelope, user):
    envelope(desk.client.put(f"{CATEGORIES}/lamp", json=LAMP, headers=desk.headers(user)), 403)
    assert desk.count("categories") == 0


@pytest.mark.parametrize("change, field", [
    ({"department": "nosuch"}, "department"),
    ({"attributes": [{"code": "a", "description": "问题", "datatype": "singlevaluelist"}]}, "attributes"),
    ({"attributes": [{"code": "a", "description": "问题", "values": [{"key": "x", "name": "X"}]}]}, "attributes"),
    ({"attributes": [{"code": "a", "description": "问"}, {"code": "a", "description": "题"}]}, "attributes"),
    ({"keywords": ["路灯,不亮"]}, "keywords"),
    ({"ticket_type": "gossip"}, "ticket_type"),
])
def test_a_bad_category_is_422_and_writes_nothing(desk, envelope, change, field):
    body = envelope(desk.client.put(f"{CATEGORIES}/lamp", json={**LAMP, **change}, headers=desk.headers("admin")), 422)
    assert field in body["errors"]
    assert desk.count("categories") == 0


def test_the_operator_picks_a_category_at_intake_and_a_utility_one_sets_the_utility_limits(desk, envelope):
    seed_categories(desk.db, DEMO_CATEGORIES, actor="test")

    noise = desk.file(category="noise-construction", lat=39.9131, long=116.4042)
    heating = desk.file(category="heating")

    assert (noise["category"], noise["utility"], noise["lat"], noise["long"]) == (
        "noise-construction", False, 39.9131, 116.4042)
    assert heating["utility"] is True
    listed = desk.get("/api/hotline/v1/tickets", "dispatcher", category="heating").get_json()["items"]
    assert [t["id"] for t in listed] == [heating["id"]]
    before = desk.count("tickets")
    envelope(desk.post("/api/hotline/v1/tickets", "operator", {
        "type": "complaint", "title": "噪音", "content": "夜间噪音", "category": "no-such"}), 422)
    envelope(desk.post("/api/hotline/v1/tickets", "operator", {
        "type": "complaint", "title": "噪音", "content": "夜间噪音", "lat": 39.9}), 422)
    assert desk.count("tickets") == before


def test_a_confidential_tickets_location_is_hidden_from_departments(desk):
    seed_categories(desk.db, DEMO_CATEGORIES, actor="test")
    ticket = desk.file(category="noise-construction", confidential=True, lat=39.9, long=116.4,
                       media_url="https://img.example.cn/x.jpg")
    desk.run(ticket["id"], "dispatch")

    seen = desk.ticket(ticket["id"], "dept-zjj")

    assert (seen["lat"], seen["long"], seen["media_url"]) == (None, None, None)
    assert desk.ticket(ticket["id"], "dispatcher")["lat"] == 39.9


# -- Open311 API keys ----------------------------------------------------------------------------------
def test_the_admin_issues_lists_and_revokes_keys_which_are_stored_hashed(desk, envelope):
    created = desk.post(KEYS, "admin", {"name": "city-dashboard"})
    assert created.status_code == 201
    key = created.get_json()["key"]
    assert client_of(desk.db, key) == "city-dashboard"
    stored = desk.rows("open311_keys")[0]
    assert key not in (stored.key_hash, stored.hint) and len(stored.key_hash) == 64

    listed = desk.get(KEYS, "admin").get_json()
    assert [(k["name"], "key" in k) for k in listed["items"]] == [("city-dashboard", False)]
    envelope(desk.post(KEYS, "admin", {"name": "city-dashboard"}), 409)
    envelope(desk.post(KEYS, "admin", {"name": "Bad Name"}), 422)
    envelope(desk.post(KEYS, "dispatcher", {"name": "other"}), 403)
    envelope(desk.post(f"{KEYS}/nobody/revoke", "admin"), 404)

    assert desk.post(f"{KEYS}/city-dashboard/revoke", "admin").get_json()["active"] is False
    assert client_of(desk.db, key) is None


def test_duban_open311_keys_creates_lists_and_revokes(desk, monkeypatch):
    monkeypatch.setenv("DUBAN_DATA", str(desk.settings.data_dir))
    for name in ("DUBAN_MODE", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    created = runner.invoke(main, ["open311", "keys", "create", "fixmystreet"])
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    assert client_of(desk.db, key) == "fixmystreet"

    listed = runner.invoke(main, ["open311", "keys", "list"])
    assert "fixmystreet" in listed.output and key not in listed.output and "active" in listed.output

    assert runner.invoke(main, ["open311", "keys", "revoke", "fixmystreet"]).exit_code == 0
    assert client_of(desk.db, key) is None
    again = runner.invoke(main, ["open311", "keys", "create", "fixmystreet"])
    assert again.exit_code != 0 and "fixmystreet" in again.output
