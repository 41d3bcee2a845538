"""The board API: its contract, card actions over HTTP, scoping by department, and bad input."""

from __future__ import annotations

import pytest

from services.monitoring.sweep import sweep
from shared.auth import ADMIN, DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR
from shared.events.clocks import ClockPaused, ClockStopped
from tests.monitoring.moments import at

API = "/api/monitoring/v1"



@pytest.fixture
def carded(monitoring, dispatch, directory, clock) -> dict[str, str]:
    """Two overdue tickets, one for zjj and one for cgj, each with yellow cards; the clock at 11-10 01:00."""
    tickets = {"zjj": dispatch("zjj", at=at(11, 2, 9)), "cgj": dispatch("cgj", at=at(11, 2, 9))}
    clock.set(at(11, 10, 1))
    sweep(monitoring)
    return tickets


def card_of(client, headers, department: str, color: str = "yellow") -> dict:
    items = client.get(f"{API}/cards", query_string={"department": department, "color": color},
                       headers=headers).get_json()["items"]
    return items[0]


# -- the contract ----------------------------------------------------------------------------------
def test_the_clocks_of_a_ticket_are_listed_with_due_at_and_state(client, bearer, dispatch, directory):
    ticket = dispatch("zjj", at=at(11, 2, 9))

    response = client.get(f"{API}/clocks", query_string={"subject_service": "hotline", "subject_id": ticket},
                          headers=bearer(INSPECTOR))

    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2 and body["page"] == 1
    sign, handle = body["items"]  # earliest due first
    assert (sign["kind"], handle["kind"]) == ("sign", "handle")
    assert sign["due_at"] == "2026-11-04T00:00:00+08:00" and sign["state"] == "on_time"
    assert handle["department_name"] == "市住房和城乡建设局" and handle["limit"]["label"] == "5个工作日"
    assert handle["subject"]["id"] == ticket


def test_the_clock_state_filter_distinguishes_on_time_reminded_overdue_paused_and_stopped(
        client, bearer, dispatch, command, monitoring, clock):
    on_time = dispatch("zjj", at=at(11, 2, 9))
    paused = dispatch("zjj", at=at(11, 2, 9))
    for kind in ("sign", "handle"):
        command(ClockPaused, paused, kind)
    command(ClockStopped, on_time, "sign")
    clock.set(at(11, 8, 12))
    sweep(monitoring)  # on_time's handle clock is reminded

    def states(state: str) -> list[tuple[str, str]]:
        items = client.get(f"{API}/clocks", query_string={"state": state}, headers=bearer(INSPECTOR)).get_json()
        return sorted((c["subject"]["id"][:8], c["kind"]) for c in items["items"])

    assert states("reminded") == [(on_time[:8], "handle")]
    assert states("stopped") == [(on_time[:8], "sign")]
    assert states("paused") == sorted([(paused[:8], "sign"), (paused[:8], "handle")])
    assert states("overdue") == [] and states("on_time") == []
    clock.set(at(11, 10, 1))
    assert states("overdue") == [(on_time[:8], "handle")]


def test_cards_are_listed_newest_first_and_filtered_by_department_colour_and_status(client, bearer, carded):
    everything = client.get(f"{API}/cards", headers=bearer(INSPECTOR)).get_json()
    zjj = client.get(f"{API}/cards", query_string={"department": "zjj", "color": "yellow", "status": "issued"},
                     headers=bearer(INSPECTOR)).get_json()

    assert everything["total"] == 4  # sign and handle yellow cards of both tickets
    assert zjj["total"] == 2 and {c["department"] for c in zjj["items"]} == {"zjj"}
    assert zjj["items"][0]["color_label"] == "黄牌" and zjj["items"][0]["status_label"] == "已亮牌"
    assert client.get(f"{API}/cards", query_string={"color": "red"}, headers=bearer(INSPECTOR)).get_json()[
        "total"] == 0


def test_an_inspector_issues_a_manual_red_card_which_is_an_event(client, bearer, directory, rows):
    response = client.post(f"{API}/cards", headers=bearer(INSPECTOR), json={
        "department": "scjg", "color": "red", "reason": "无正当理由拒绝办理群众诉求",
        "subject": {"service": "hotline", "kind": "ticket", "id": "t-9", "ref": "20261102000009"}})

    assert response.status_code == 201, response.get_json()
    card = response.get_json()
    assert (card["source"], card["rule"], card["color"], card["status"]) == ("manual", "manual", "red", "issued")
    assert card["subject"]["ref"] == "20261102000009" and card["clock_id"] is None
    assert [r.routing_key for r in rows("outbox")] == ["monitoring.card.issued"]


@pytest.mark.parametrize("path", ["/cards", "/approvals"])
def test_a_malformed_json_body_is_a_422_envelope_and_writes_nothing(client, bearer, directory, envelope, counts,
                                                                   path):
    before = counts()

    body = envelope(client.post(f"{API}{path}", data="{not json", headers={
        **bearer(INSPECTOR, ADMIN), "Content-Type": "application/json"}), 422)

    assert "JSON" in body["message"]
    assert counts() == before


def test_the_card_lifecycle_over_http_confirm_acknowledge_clear(client, bearer, carded, rows):
    inspector, staff = bearer(INSPECTOR), bearer(DEPARTMENT, departments=("zjj",))
    card = card_of(client, inspector, "zjj")

    confirmed = client.post(f"{API}/cards/{card['id']}/confirm", json={}, headers=inspector)
    acknowledged = client.post(f"{API}/cards/{card['id']}/acknowledge", json={"note": "已知悉"}, headers=staff)
    cleared = client.post(f"{API}/cards/{card['id']}/clear", json={"note": "整改到位，验收通过"}, headers=inspector)

    assert [r.status_code for r in (confirmed, acknowledged, cleared)] == [200, 200, 200]
    body = cleared.get_json()
    assert body["status"] == "cleared" and body["acknowledged_at"] and body["clear_note"] == "整改到位，验收通过"
    keys = [r.routing_key for r in rows("outbox")]
    assert keys[-3:] == ["monitoring.card.confirmed", "monitoring.card.acknowledged", "monitoring.card.cleared"]


def test_revoking_a_card_needs_an_inspector_and_a_reason(client, bearer, carded, envelope, counts):
    card = card_of(client, bearer(INSPECTOR), "zjj")
    before = counts()

    envelope(client.post(f"{API}/cards/{card['id']}/revoke", json={"reason": "误判"},
                         headers=bearer(DISPATCHER)), 403)
    envelope(client.post(f"{API}/cards/{card['id']}/revoke", json={"reason": "x"}, headers=bearer(INSPECTOR)), 422)
    assert counts() == before
    revoked = client.post(f"{API}/cards/{card['id']}/revoke", json={"reason": "系统故障误判"},
                          headers=bearer(INSPECTOR))

    assert revoked.status_code == 200 and revoked.get_json()["revoke_reason"] == "系统故障误判"
    envelope(client.post(f"{API}/cards/{card['id']}/confirm", json={}, headers=bearer(INSPECTOR)), 409)


# -- scoping ---------------------------------------------------------------------------------------
def test_department_staff_see_only_their_own_clocks_and_cards(client, bearer, carded, envelope):
    staff = bearer(DEPARTMENT, departments=("zjj",))
    other_card = card_of(client, bearer(INSPECTOR), "cgj")

    clocks = client.get(f"{API}/clocks", headers=staff).get_json()
    cards = client.get(f"{API}/cards", headers=staff).get_json()
    asked_for_other = client.get(f"{API}/cards", query_string={"department": "cgj"}, headers=staff).get_json()

    assert {c["department"] for c in clocks["items"]} == {"zjj"} and clocks["total"] == 2
    assert {c["department"] for c in cards["items"]} == {"zjj"}
    assert asked_for_other["total"] == 0
    envelope(client.get(f"{API}/cards/{other_card['id']}", headers=staff), 404)
    envelope(client.post(f"{API}/cards/{other_card['id']}/acknowledge", json={}, headers=staff), 404)
    other_clock = client.get(f"{API}/clocks", query_string={"department": "cgj"},
                             headers=bearer(DISPATCHER)).get_json()["items"][0]
    envelope(client.get(f"{API}/clocks/{other_clock['id']}", headers=staff), 404)


def test_dispatchers_read_the_board_but_operators_and_anonymous_callers_do_not(client, bearer, carded, envelope):
    assert client.get(f"{API}/cards", headers=bearer(DISPATCHER)).status_code == 200
    assert client.get(f"{API}/summary", headers=bearer(ADMIN)).status_code == 200
    envelope(client.get(f"{API}/cards", headers=bearer(OPERATOR)), 403)
    envelope(client.get(f"{API}/clocks"), 401)
    envelope(client.post(f"{API}/cards", json={"department": "zjj", "color": "red", "reason": "违规收费"},
                         headers=bearer(DISPATCHER)), 403)


def test_the_summary_counts_open_clocks_by_state_and_cards_by_colour_and_status(client, bearer, carded):
    summary = client.get(f"{API}/summary", headers=bearer(INSPECTOR)).get_json()
    mine = client.get(f"{API}/summary", headers=bearer(DEPARTMENT, departments=("cgj",))).get_json()

    zjj = next(s for s in summary if s["department"] == "zjj")
    assert zjj["name"] == "市住房和城乡建设局"
    assert zjj["clocks"] == {"on_time": 0, "reminded": 0, "overdue": 2, "paused": 0}
    assert zjj["cards"]["yellow"]["issued"] == 2 and zjj["cards"]["red"]["issued"] == 0
    assert [s["department"] for s in mine] == ["cgj"]


def test_the_summary_and_the_state_filter_agree_on_every_clock(client, bearer, dispatch, directory, monitoring,
                                                              clock):
    dispatch("zjj", at=at(11, 2, 9))   # long overdue by 11-10
    dispatch("zjj", at=at(11, 6, 9))   # sign overdue, handling reminded
    dispatch("zjj", at=at(11, 9, 16))  # both in time
    clock.set(at(11, 10, 1))
    sweep(monitoring)
    headers = bearer(INSPECTOR)

    [zjj] = client.get(f"{API}/summary", query_string={"department": "zjj"}, headers=headers).get_json()
    listed = {state: client.get(f"{API}/clocks", query_string={"department": "zjj", "state": state},
                                headers=headers).get_json()["total"] for state in zjj["clocks"]}

    assert zjj["clocks"] == listed
    assert sum(listed.values()) == 6 and sum(1 for n in listed.values() if n) >= 2


def test_reminders_are_listed_for_the_board(client, bearer, dispatch, monitoring, clock):
    dispatch("zjj", at=at(11, 2, 9))
    clock.set(at(11, 3, 17))
    sweep(monitoring)

    body = client.get(f"{API}/warnings", headers=bearer(INSPECTOR)).get_json()

    assert body["total"] == 1 and body["items"][0]["kind"] == "sign"
    assert "将于2026-11-04 00:00到期" in body["items"][0]["message"]


# -- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    {"department": "zjj", "color": "green", "reason": "违规收费"},
    {"department": "zjj", "color": "red"},
    {"department": "zjj", "color": "red", "reason": "x"},
    {"department": "ZJJ!", "color": "red", "reason": "违规收费"},
    {"department": "nowhere", "color": "red", "reason": "违规收费"},
    {"department": "zjj", "color": "red", "reason": "违规收费", "extra": 1},
    {"department": "zjj", "color": "red", "reason": "违规收费", "subject": {"service": "hotline"}},
])
def test_a_bad_manual_card_gets_a_422_envelope_and_writes_nothing(client, bearer, directory, envelope, counts, body):
    before = counts()

    error = envelope(client.post(f"{API}/cards", json=body, headers=bearer(INSPECTOR)), 422)

    assert error["errors"]
    assert counts() == before


def test_a_bad_board_query_gets_a_422_envelope(client, bearer, envelope):
    envelope(client.get(f"{API}/clocks", query_string={"state": "late"}, headers=bearer(INSPECTOR)), 422)
    envelope(client.get(f"{API}/cards", query_string={"page_size": 0}, headers=bearer(INSPECTOR)), 422)
    envelope(client.get(f"{API}/scores", query_string={"period": "2026Q5"}, headers=bearer(INSPECTOR)), 422)


def test_an_unknown_card_is_a_404_envelope(client, bearer, envelope):
    envelope(client.get(f"{API}/cards/nope", headers=bearer(INSPECTOR)), 404)
    envelope(client.post(f"{API}/cards/nope/confirm", json={}, headers=bearer(INSPECTOR)), 404)


def test_a_retried_manual_card_with_the_same_idempotency_key_is_issued_once(client, bearer, directory, rows):
    headers = {**bearer(INSPECTOR), "Idempotency-Key": "card-1"}
    body = {"department": "zjj", "color": "yellow", "reason": "推诿扯皮"}

    first = client.post(f"{API}/cards", json=body, headers=headers)
    second = client.post(f"{API}/cards", json=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert len(rows("cards")) == 1


def test_the_openapi_document_describes_the_monitoring_api(client):
    paths = client.get("/api/monitoring/openapi.json").get_json()["paths"]

    assert {"/api/monitoring/v1/clocks", "/api/monitoring/v1/cards", "/api/monitoring/v1/cards/{card_id}/revoke",
            "/api/monitoring/v1/approvals", "/api/monitoring/v1/scores", "/api/monitoring/v1/ranking",
            "/api/monitoring/v1/summary", "/api/monitoring/v1/warnings"} <= set(paths)
