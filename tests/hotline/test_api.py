"""The hotline HTTP API: intake, the state machine over HTTP, roles, bad input, idempotency, lists,
returns and callbacks (DESIGN §6 "Hotline (12345)", §7, §8)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from werkzeug.test import Client

from gateway.handlers import create_department, update_department
from shared.auth import Principal
from tests.hotline.transitions import ACTIONS, ALLOWED, FORBIDDEN

TICKETS = "/api/hotline/v1/tickets"
DEPARTMENT_ACTIONS = {"sign", "return", "extension", "assist", "reply"}


def transition_params(pairs):
    return [pytest.param(status, action, id=f"{status}-{action}") for status, action in pairs]


def body_for(desk, action: str) -> dict | None:
    if action == "merge":
        return {"into": desk.file()["id"]}
    return desk.body(action)


# -- intake ----------------------------------------------------------------------------------------

def test_filing_answers_201_with_number_query_code_and_first_timeline_entry(desk, instant, at):
    response = desk.post(TICKETS, "operator", {
        "type": "complaint", "title": "楼上漏水", "content": "楼上住户水管漏水至我家天花板",
        "caller": {"name": "李四", "phone": "13900001111"}, "address": "西城区滨江路3号"})

    assert response.status_code == 201
    ticket = response.get_json()
    assert ticket["number"] == "20261123000001"
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", ticket["query_code"])
    assert (ticket["status"], ticket["status_label"]) == ("received", "已受理")
    assert (ticket["urgency"], ticket["channel"], ticket["type_label"]) == ("general", "phone", "投诉")
    assert instant(ticket["created_at"]) == at(2026, 11, 23, 9)
    assert [(e["action"], e["action_label"], e["actor"]) for e in ticket["timeline"]] == [
        ("received", "受理", "operator")]
    assert desk.stored(ticket["id"]).version == 1


def test_a_ticket_keeps_its_district_and_the_received_event_carries_what_the_case_index_needs(desk):
    ticket = desk.post(TICKETS, "operator", {
        "type": "complaint", "title": "楼上漏水", "content": "楼上住户水管漏水至我家天花板", "region": "110102",
        "caller": {"name": "李四", "phone": "13900001111"}, "address": "西城区滨江路3号"}).get_json()

    received = json.loads(next(r.body for r in desk.rows("outbox") if r.routing_key == "hotline.ticket.received"))
    assert ticket["region"] == "110102"
    assert {k: received["data"][k] for k in ("content", "address", "region")} == {
        "content": "楼上住户水管漏水至我家天花板", "address": "西城区滨江路3号", "region": "110102"}
    assert "李四" not in json.dumps(received, ensure_ascii=False)
    assert "13900001111" not in json.dumps(received)


def test_ticket_numbers_are_the_beijing_date_and_a_daily_sequence(desk, at):
    first, second = desk.file()["number"], desk.file()["number"]
    desk.clock.set(at(2026, 11, 24, 0, 30))  # still 11-23 in UTC

    third = desk.file()["number"]

    assert (first, second, third) == ("20261123000001", "20261123000002", "20261124000001")


@pytest.mark.parametrize("user", ["dept-zjj", "inspector"])
def test_only_operators_and_dispatchers_file_tickets(desk, envelope, user):
    before = desk.counts()

    envelope(desk.post(TICKETS, user, {"type": "help", "title": "求助", "content": "需要帮助"}), 403)

    assert desk.counts() == before


def test_a_dispatcher_may_file_a_ticket_too(desk):
    assert desk.file("dispatcher")["timeline"][0]["actor"] == "dispatcher"


def test_an_unknown_ticket_is_404_with_the_envelope(desk, envelope):
    body = envelope(desk.get(f"{TICKETS}/no-such-ticket", "dispatcher"), 404)

    assert body["status"] == "Not Found"


def test_departments_lists_the_replicated_directory(desk):
    response = desk.get("/api/hotline/v1/departments", "dispatcher")

    assert response.status_code == 200
    departments = {d["code"]: d for d in response.get_json()}
    assert len(departments) == 15
    assert departments["zjj"]["name"] == "市住房和城乡建设局"
    assert departments["swjt"]["utility"] is True


def test_the_openapi_document_is_served(desk):
    response = desk.client.get("/api/hotline/openapi.json")

    assert response.status_code == 200
    assert f"{TICKETS}/{{ticket_id}}/dispatch" in response.get_json()["paths"]


def test_a_department_the_gateway_adds_becomes_a_dispatch_target_once_the_event_arrives(desk, envelope):
    ticket_id = desk.file()["id"]
    create_department(desk.suite.contexts["gateway"], actor="test", code="xqq", name="新区管委会",
                      kind="district")
    envelope(desk.act(ticket_id, "dispatch", lead_department="xqq", co_departments=[]), 422)

    desk.suite.runtime.run_until_idle()

    assert desk.do(ticket_id, "dispatch", lead_department="xqq", co_departments=[])["lead_department"] == "xqq"


def test_a_department_the_gateway_deactivates_can_no_longer_be_dispatched_to(desk, envelope):
    ticket_id = desk.file()["id"]
    update_department(desk.suite.contexts["gateway"], actor="test", code="jtj", active=False)
    desk.suite.runtime.run_until_idle()

    error = envelope(desk.act(ticket_id, "dispatch", lead_department="jtj", co_departments=[]), 422)

    assert "lead_department" in error["errors"]
    codes = {d["code"] for d in desk.get("/api/hotline/v1/departments", "dispatcher").get_json()}
    assert "jtj" not in codes and "zjj" in codes


# -- the state machine over HTTP --------------------------------------------------------------------

@pytest.mark.parametrize(("status", "action"), transition_params(ALLOWED))
def test_allowed_transition_answers_200_with_the_new_status(shared_desk, status, action):
    desk = shared_desk
    ticket_id = desk.in_status(status)
    if action == "extension/review":
        desk.run(ticket_id, "extension")

    response = desk.act(ticket_id, action, body=body_for(desk, action))

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == ALLOWED[status, action]
    assert desk.stored(ticket_id).status == ALLOWED[status, action]


@pytest.mark.parametrize(("status", "action"), transition_params(FORBIDDEN))
def test_forbidden_transition_answers_409_and_changes_nothing(shared_desk, envelope, status, action):
    desk = shared_desk
    ticket_id = desk.in_status(status)
    body = body_for(desk, action)
    # A department cannot even see a ticket nobody dispatched; admin holds every role and sees it.
    user = "admin" if action in DEPARTMENT_ACTIONS and status == "received" else None
    before, counts = desk.stored(ticket_id), desk.counts()

    error = envelope(desk.act(ticket_id, action, user, body=body), 409)

    assert error["status"] == "Conflict"
    assert error["errors"]["status"] == [status]
    assert desk.stored(ticket_id) == before
    assert desk.counts() == counts


def test_a_department_acting_on_a_ticket_nobody_dispatched_gets_404(desk, envelope):
    ticket_id = desk.in_status("received")

    envelope(desk.act(ticket_id, "sign"), 404)


# -- authentication and roles ---------------------------------------------------------------------

ENDPOINTS = [pytest.param("GET", "", id="list"), pytest.param("GET", "/{id}", id="detail"),
             pytest.param("GET", "/{id}/duplicates", id="duplicates"),
             pytest.param("POST", "", id="file")] + [
    pytest.param("POST", f"/{{id}}/{action}", id=action) for action in ACTIONS]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_ticket_endpoint_answers_401_without_a_token(shared_desk, envelope, method, path):
    desk = shared_desk
    ticket_id = desk.in_status("dispatched")
    action = path.removeprefix("/{id}/")
    body = ({"into": ticket_id} if action == "merge" else desk.body(action) if action in ACTIONS else
            {"type": "help", "title": "求助", "content": "需要帮助"} if method == "POST" else None)
    counts = desk.counts()

    response = desk.client.open(TICKETS + path.format(id=ticket_id), method=method, json=body)

    envelope(response, 401)
    assert desk.counts() == counts


@pytest.mark.parametrize("path", ["/api/hotline/v1/stats", "/api/hotline/v1/departments"])
def test_reports_answer_401_without_a_token(desk, envelope, path):
    envelope(desk.client.get(path), 401)


def test_a_forged_token_is_401(desk, envelope):
    response = desk.client.get(TICKETS, headers={"Authorization": "Bearer not.a.token"})

    envelope(response, 401)


def test_a_token_past_its_lifetime_is_401(desk, envelope):
    headers = desk.headers("dispatcher")
    desk.clock.advance(hours=8, seconds=1)

    envelope(desk.client.get(TICKETS, headers=headers), 401)


def test_a_token_from_the_gateway_login_is_accepted_by_the_hotline(desk):
    gateway = Client(desk.suite.wsgi)
    login = gateway.post("/api/auth/v1/token", json={"username": "operator", "password": "duban-demo"})
    assert login.status_code == 200, login.get_data(as_text=True)

    response = gateway.get(TICKETS, headers={"Authorization": f"Bearer {login.get_json()['access_token']}"})

    assert response.status_code == 200
    assert response.get_json()["total"] == 0


@pytest.mark.parametrize("action", ["dispatch", "return/review", "extension/review", "callback", "close",
                                    "merge", "urge"])
def test_an_operator_may_not_do_dispatcher_work(desk, envelope, action):
    status = {"dispatch": "received", "return/review": "return_requested", "extension/review": "signed",
              "callback": "replied", "close": "replied", "merge": "received", "urge": "signed"}[action]
    ticket_id = desk.in_status(status)
    body = body_for(desk, action)
    before, counts = desk.stored(ticket_id), desk.counts()

    envelope(desk.act(ticket_id, action, "operator", body=body), 403)

    assert (desk.stored(ticket_id), desk.counts()) == (before, counts)


@pytest.mark.parametrize("user", ["dept-zjj", "inspector"])
@pytest.mark.parametrize("action", ["answer", "legal-channel", "transfer"])
def test_only_the_hotline_office_answers_or_transfers_at_intake(desk, envelope, action, user):
    ticket_id = desk.in_status("received")
    before = desk.stored(ticket_id)

    envelope(desk.act(ticket_id, action, user), 403)

    assert desk.stored(ticket_id) == before


def test_an_operator_may_not_sign_for_a_department(desk, envelope):
    ticket_id = desk.in_status("dispatched")

    envelope(desk.act(ticket_id, "sign", "operator"), 403)

    assert desk.stored(ticket_id).status == "dispatched"


def test_an_inspector_may_urge(desk):
    ticket_id = desk.in_status("signed")

    ticket = desk.act(ticket_id, "urge", "inspector").get_json()

    assert ticket["urge_count"] == 1


@pytest.mark.parametrize("user", ["operator", "dept-zjj"])
def test_only_the_hotline_office_sees_duplicate_candidates(desk, envelope, user):
    ticket_id = desk.in_status("dispatched")

    if user == "operator":
        assert desk.get(f"{TICKETS}/{ticket_id}/duplicates", user).status_code == 200
    else:
        envelope(desk.get(f"{TICKETS}/{ticket_id}/duplicates", user), 403)


# -- bad input writes nothing -----------------------------------------------------------------------

GOOD_TICKET = {"type": "complaint", "title": "噪音扰民", "content": "夜间施工噪音", "caller": {"phone": "13800001111"}}


@pytest.mark.parametrize(("change", "field"), [
    pytest.param({"title": None}, "title", id="missing-title"),
    pytest.param({"type": None}, "type", id="missing-type"),
    pytest.param({"type": "gossip"}, "type", id="unknown-type"),
    pytest.param({"urgency": "asap"}, "urgency", id="unknown-urgency"),
    pytest.param({"title": 123}, "title", id="title-not-a-string"),
    pytest.param({"region": "天河区"}, "region", id="region-not-a-district-code"),
    pytest.param({"region": "44010"}, "region", id="region-five-digits"),
    pytest.param({"confidential": "maybe"}, "confidential", id="confidential-not-a-boolean"),
    pytest.param({"title": "长" * 201}, "title", id="title-too-long"),
    pytest.param({"content": "短"}, "content", id="content-too-short"),
    pytest.param({"caller": {"phone": "call me"}}, "caller", id="not-a-phone-number"),
    pytest.param({"caller": "张三"}, "caller", id="caller-not-an-object"),
    pytest.param({"priority": "high"}, "priority", id="unknown-field"),
    pytest.param({"title": "   "}, "title", id="blank-title-trimmed-before-the-length-check"),
    pytest.param({"content": " \n\t "}, "content", id="blank-content"),
    pytest.param({"confidential": "yes"}, "confidential", id="confidential-yes-is-no-boolean"),
    pytest.param({"confidential": 1}, "confidential", id="confidential-1-is-no-boolean"),
    pytest.param({"utility": "false"}, "utility", id="utility-string-false-is-no-boolean"),
    pytest.param({"content": "夜间施工\u0000噪音"}, "content", id="nul-in-content"),
    pytest.param({"caller": {"name": "张\x07三"}}, "caller", id="bell-in-caller-name"),
])
def test_invalid_intake_gets_422_naming_the_field_and_writes_nothing(desk, envelope, change, field):
    body = {**GOOD_TICKET, **change}
    body = {k: v for k, v in body.items() if v is not None}
    before = desk.counts()

    error = envelope(desk.post(TICKETS, "operator", body), 422)

    assert field in error["errors"]
    assert field in error["message"]
    assert desk.counts() == before


def test_a_lone_surrogate_in_a_ticket_gets_422_and_writes_nothing(desk, envelope):
    before = desk.counts()
    body = json.dumps({**GOOD_TICKET, "title": "噪音\ud800扰民"})  # ASCII-escaped, as a client sends it

    response = desk.client.post(TICKETS, data=body, headers={
        **desk.headers("operator"), "Content-Type": "application/json"})

    assert "title" in envelope(response, 422)["errors"]
    assert desk.counts() == before


def test_a_body_that_is_not_json_gets_422(desk, envelope):
    before = desk.counts()

    response = desk.client.post(TICKETS, data="{not json", headers={
        **desk.headers("operator"), "Content-Type": "application/json"})

    envelope(response, 422)
    assert desk.counts() == before


@pytest.mark.parametrize(("status", "action", "body", "field"), [
    pytest.param("received", "dispatch", {"lead_department": "ZJJ!"}, "lead_department", id="bad-code"),
    pytest.param("received", "dispatch", {}, "lead_department", id="no-lead"),
    pytest.param("received", "dispatch", {"lead_department": "zjj", "urgent": True}, "urgent",
                 id="unknown-field"),
    pytest.param("received", "dispatch", {"lead_department": "zjj", "co_departments": "cgj"}, "co_departments",
                 id="co-not-a-list"),
    pytest.param("received", "dispatch", {"lead_department": "nosuch"}, "lead_department",
                 id="unknown-department"),
    pytest.param("received", "dispatch", {"lead_department": "zjj", "co_departments": ["cgj", "nosuch"]},
                 "co_departments", id="unknown-co-department"),
    pytest.param("received", "dispatch", {"lead_department": "zjj", "co_departments": ["zjj"]},
                 "co_departments", id="lead-also-co"),
    pytest.param("signed", "extension", {"days": "3", "reason": "需要现场会商"}, "days", id="days-as-text"),
    pytest.param("signed", "extension", {"days": 0, "reason": "需要现场会商"}, "days", id="zero-days"),
    pytest.param("signed", "extension", {"days": 11, "reason": "需要现场会商"}, "days", id="over-ten-days"),
    pytest.param("dispatched", "return", {"reason": "不"}, "reason", id="no-reason"),
    pytest.param("dispatched", "return", {"reason": "不归我管"}, "reason", id="reason-under-five"),
    pytest.param("replied", "callback", {"satisfaction": "happy"}, "satisfaction", id="unknown-level"),
    pytest.param("replied", "callback", {"satisfaction": "satisfied", "justified": True}, "justified",
                 id="justified-good-level"),
    pytest.param("return_requested", "return/review", {"accept": "perhaps"}, "accept", id="accept-not-bool"),
    pytest.param("return_requested", "return/review",
                 {"accept": True, "lead_department": "dcq", "co_departments": ["dcq"]}, "co_departments",
                 id="redispatch-lead-also-co"),
    pytest.param("received", "merge", {"into": ""}, "into", id="merge-into-nothing"),
])
def test_invalid_transition_input_gets_422_and_writes_nothing(desk, envelope, status, action, body, field):
    ticket_id = desk.in_status(status)
    before, counts = desk.stored(ticket_id), desk.counts()

    error = envelope(desk.act(ticket_id, action, body=body), 422)

    assert field in error["errors"]
    assert desk.stored(ticket_id) == before
    assert desk.counts() == counts


# -- Idempotency-Key --------------------------------------------------------------------------------

def test_the_same_idempotency_key_files_one_ticket_and_replays_its_number(desk):
    headers = {"Idempotency-Key": "intake-7f3a"}
    first = desk.post(TICKETS, "operator", GOOD_TICKET, headers)
    tickets = desk.count("tickets")

    replay = desk.post(TICKETS, "operator", GOOD_TICKET, headers)

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.get_json()["number"] == first.get_json()["number"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert desk.count("tickets") == tickets == 1


class ProcessKilled(BaseException):
    """Stands in for kill -9 during intake: nothing after the failing point runs."""


def test_a_crash_after_the_ticket_committed_still_replays_its_answer_a_minute_later(desk, monkeypatch):
    """The key's answer commits with the ticket: the resent request gets the ticket, not a second one."""
    headers = {"Idempotency-Key": "intake-crash-1"}
    real_committed = desk.db.committed

    def die_after_commit(**kwargs):
        monkeypatch.setattr(desk.db, "committed", real_committed)
        raise ProcessKilled

    monkeypatch.setattr(desk.db, "committed", die_after_commit)
    with pytest.raises(ProcessKilled):
        desk.post(TICKETS, "operator", GOOD_TICKET, headers)
    desk.clock.advance(timedelta(seconds=61))

    replay = desk.post(TICKETS, "operator", GOOD_TICKET, headers)

    assert replay.status_code == 201, replay.get_json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert desk.count("tickets") == 1
    assert replay.get_json()["id"] == desk.rows("tickets")[0].id


def test_an_idempotency_key_reused_for_a_different_ticket_is_refused(desk, envelope):
    headers = {"Idempotency-Key": "intake-7f3b"}
    desk.post(TICKETS, "operator", GOOD_TICKET, headers)

    envelope(desk.post(TICKETS, "operator", {**GOOD_TICKET, "title": "另一件事"}, headers), 422)

    assert desk.count("tickets") == 1


def test_without_an_idempotency_key_a_retry_files_a_second_ticket(desk):
    desk.post(TICKETS, "operator", GOOD_TICKET)
    desk.post(TICKETS, "operator", GOOD_TICKET)

    assert desk.count("tickets") == 2


def test_a_retried_transition_with_the_same_key_applies_once(desk):
    ticket_id = desk.in_status("signed")
    headers = {"Idempotency-Key": "urge-1"}
    path = f"{TICKETS}/{ticket_id}/urge"

    first = desk.post(path, "dispatcher", {"note": "请尽快办理"}, headers)
    replay = desk.post(path, "dispatcher", {"note": "请尽快办理"}, headers)

    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.get_json()["urge_count"] == 1
    assert desk.ticket(ticket_id)["urge_count"] == 1


def test_a_refused_transition_releases_its_idempotency_key(desk, envelope):
    ticket_id = desk.in_status("dispatched")
    headers = {"Idempotency-Key": "reply-1"}
    path = f"{TICKETS}/{ticket_id}/reply"
    envelope(desk.post(path, "dept-zjj", desk.body("reply"), headers), 409)
    desk.run(ticket_id, "sign")

    retry = desk.post(path, "dept-zjj", desk.body("reply"), headers)

    assert (retry.status_code, retry.get_json()["status"]) == (200, "replied")


# -- lists: pagination, filters, scoping ------------------------------------------------------------

def file_spread(desk, n: int, **fields) -> list[dict]:
    """File ``n`` tickets a minute apart (the list is newest first)."""
    tickets = []
    for _ in range(n):
        tickets.append(desk.file(**fields))
        desk.clock.advance(minutes=1)
    return tickets


def test_the_list_pages_newest_first(desk):
    numbers = [t["number"] for t in file_spread(desk, 5)]

    first = desk.get(TICKETS, "dispatcher", page=1, page_size=2).get_json()
    last = desk.get(TICKETS, "dispatcher", page=3, page_size=2).get_json()

    assert (first["total"], first["page"], first["page_size"]) == (5, 1, 2)
    assert [t["number"] for t in first["items"]] == numbers[::-1][:2]
    assert [t["number"] for t in last["items"]] == numbers[:1]


@pytest.mark.parametrize("query", [{"page_size": 201}, {"page_size": 0}, {"page": 0}, {"page": "x"},
                                   {"status": "lost"}, {"overdue": "sometimes"},
                                   {"created_from": "2026-11-24T00:00:00"}, {"q": "\x00"}, {"q": "路灯\x1b"},
                                   {"created_from": "0001-01-01T00:00:00+00:00"},
                                   {"created_to": "9999-12-31T23:59:59+00:00"},
                                   {"created_to": "9999-12-31T23:59:59.999999-14:00"},
                                   {"created_from": "1999-12-31T00:00:00+08:00"},
                                   {"created_from": "2026-11-24T00:00:00+08:05:43"}])
def test_bad_list_parameters_get_422(desk, envelope, query):
    envelope(desk.get(TICKETS, "dispatcher", **query), 422)


def test_a_page_size_of_200_is_allowed(desk):
    assert desk.get(TICKETS, "dispatcher", page_size=200).status_code == 200


def test_the_status_filter_may_be_repeated(desk):
    received, dispatched, signed = (desk.in_status(s) for s in ("received", "dispatched", "signed"))

    response = desk.client.get(f"{TICKETS}?status=dispatched&status=signed", headers=desk.headers("dispatcher"))

    assert {t["id"] for t in response.get_json()["items"]} == {dispatched, signed}
    assert received not in {t["id"] for t in response.get_json()["items"]}


def test_type_urgency_and_department_filters(desk):
    wanted = desk.in_status("dispatched", type="report", urgency="complex")
    desk.in_status("dispatched", type="report")
    other = desk.file(type="report", urgency="complex")["id"]

    by_type = desk.get(TICKETS, "dispatcher", type="report", urgency="complex", department="zjj").get_json()

    assert [t["id"] for t in by_type["items"]] == [wanted]
    assert other not in {t["id"] for t in desk.get(TICKETS, "dispatcher", department="zjj").get_json()["items"]}


def test_department_staff_list_only_tickets_their_department_handles(desk):
    lead = desk.in_status("dispatched")  # zjj lead, cgj co
    elsewhere = desk.file()["id"]
    desk.run(elsewhere, "dispatch", lead_department="jtj", co_departments=[])

    mine = desk.get(TICKETS, "dept-zjj").get_json()
    as_co = desk.get(TICKETS, "dept-cgj").get_json()
    theirs = desk.get(TICKETS, "dept-jtj").get_json()
    asking_for_other = desk.get(TICKETS, "dept-zjj", department="jtj").get_json()

    assert [t["id"] for t in mine["items"]] == [lead] and mine["total"] == 1
    assert [t["id"] for t in as_co["items"]] == [lead]
    assert [t["id"] for t in theirs["items"]] == [elsewhere]
    assert asking_for_other["total"] == 0


def test_q_finds_tickets_by_title_words_or_exact_number(desk):
    leak = desk.file(title="幸福里小区地下室漏水")
    desk.file(title="道路坑洼")

    by_word = desk.get(TICKETS, "dispatcher", q="地下室").get_json()
    by_number = desk.get(TICKETS, "dispatcher", q=leak["number"]).get_json()
    percent = desk.get(TICKETS, "dispatcher", q="%").get_json()

    assert [t["id"] for t in by_word["items"]] == [leak["id"]]
    assert [t["id"] for t in by_number["items"]] == [leak["id"]]
    assert percent["total"] == 0  # LIKE wildcards are taken literally


def test_q_matches_titles_only_case_blind_and_its_meaning_is_documented(desk):
    """q searches titles (and exact numbers), never content or the caller; the OpenAPI says so."""
    lamp = desk.file(title="LED路灯不亮", content="幸福里门口的灯")
    desk.file(title="道路坑洼", content="LED 灯旁边的坑")

    found = desk.get(TICKETS, "dispatcher", q="  led ").get_json()
    by_content = desk.get(TICKETS, "dispatcher", q="幸福里门口").get_json()
    spec = desk.client.get("/api/hotline/openapi.json").get_json()
    q = next(p for p in spec["paths"]["/api/hotline/v1/tickets"]["get"]["parameters"] if p["name"] == "q")

    assert [t["id"] for t in found["items"]] == [lamp["id"]]
    assert by_content["total"] == 0
    assert "title" in q["description"] and "number" in q["description"]


def test_overdue_lists_tickets_past_their_sign_deadline(desk):
    waiting = desk.in_status("dispatched")
    signed = desk.in_status("signed")
    fresh_before = desk.get(TICKETS, "dispatcher", overdue="true").get_json()

    desk.clock.advance(days=2, minutes=1)  # past the close of Tue 11-24
    overdue = desk.get(TICKETS, "dispatcher", overdue="true").get_json()
    not_overdue = desk.get(TICKETS, "dispatcher", overdue="false").get_json()

    assert fresh_before["total"] == 0
    assert [t["id"] for t in overdue["items"]] == [waiting]
    assert signed in {t["id"] for t in not_overdue["items"]}


def test_created_from_and_to_bound_the_list(desk, at):
    early = desk.file()["id"]
    desk.clock.set(at(2026, 11, 25, 9))
    late = desk.file()["id"]

    response = desk.get(TICKETS, "dispatcher", created_from="2026-11-24T00:00:00+08:00",
                        created_to="2026-11-26T00:00:00+08:00").get_json()

    assert [t["id"] for t in response["items"]] == [late]
    assert early in {t["id"] for t in desk.get(TICKETS, "dispatcher").get_json()["items"]}


# -- return (退单) review ----------------------------------------------------------------------------

def test_an_accepted_return_puts_the_ticket_back_in_the_pool_without_a_lead(desk):
    ticket_id = desk.in_status("return_requested")

    ticket = desk.do(ticket_id, "return/review", accept=True, comment="同意退单")

    assert (ticket["status"], ticket["lead_department"], ticket["co_departments"]) == ("received", None, [])
    assert (ticket["sign_due_at"], ticket["handle_due_at"]) == (None, None)
    assert ticket["return_count"] == 1
    assert desk.get(f"{TICKETS}/{ticket_id}", "dept-zjj").status_code == 404


def test_an_accepted_return_redispatches_to_a_new_lead_in_one_step(desk, instant, at):
    ticket_id = desk.in_status("return_requested")
    desk.clock.set(at(2026, 11, 24, 10))

    ticket = desk.do(ticket_id, "return/review", accept=True, comment="改派东城区", lead_department="dcq",
                     co_departments=["cgj"])

    assert (ticket["status"], ticket["lead_department"], ticket["co_departments"]) == ("dispatched", "dcq", ["cgj"])
    assert instant(ticket["sign_due_at"]) == at(2026, 11, 26)
    assert [e["action"] for e in ticket["timeline"][-2:]] == ["return_accepted", "dispatched"]
    assert desk.get(f"{TICKETS}/{ticket_id}", "dept-dcq").status_code == 200
    assert desk.get(f"{TICKETS}/{ticket_id}", "dept-zjj").status_code == 404


def test_redispatching_a_return_to_an_unknown_department_is_refused_whole(desk, envelope):
    ticket_id = desk.in_status("return_requested")
    before = desk.stored(ticket_id)

    envelope(desk.act(ticket_id, "return/review", accept=True, lead_department="nosuch"), 422)

    assert desk.stored(ticket_id) == before


@pytest.mark.parametrize("previous", ["dispatched", "signed"])
def test_a_rejected_return_goes_back_to_the_previous_status(desk, previous):
    ticket_id = desk.in_status(previous)
    desk.run(ticket_id, "return")

    ticket = desk.do(ticket_id, "return/review", accept=False, comment="属于本单位职责")

    assert (ticket["status"], ticket["lead_department"]) == (previous, "zjj")
    assert ticket["return_request"] is None
    assert ticket["timeline"][-1]["action"] == "return_rejected"


# -- callback (回访) ---------------------------------------------------------------------------------

@pytest.mark.parametrize("level", ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied",
                                   "very_dissatisfied"])
def test_a_callback_records_any_of_the_five_levels_and_closes(desk, level):
    ticket_id = desk.in_status("replied")

    ticket = desk.do(ticket_id, "callback", satisfaction=level)

    assert (ticket["status"], ticket["satisfaction"]) == ("closed", level)
    assert [e["action"] for e in ticket["timeline"][-2:]] == ["callback_recorded", "closed"]


def test_a_justified_dissatisfaction_reopens_and_the_lead_signs_again(desk, instant, at):
    ticket_id = desk.in_status("replied")
    desk.clock.set(at(2026, 11, 24, 10))

    reopened = desk.do(ticket_id, "callback", satisfaction="dissatisfied", justified=True, note="问题仍未解决")
    signed = desk.do(ticket_id, "sign")

    assert (reopened["status"], reopened["reopen_count"]) == ("reopened", 1)
    assert instant(reopened["sign_due_at"]) == at(2026, 11, 26)
    assert instant(reopened["handle_due_at"]) == at(2026, 12, 2)
    assert (reopened["signed_at"], reopened["reply"]) == (None, None)
    assert signed["status"] == "signed"


def test_after_two_reopens_a_justified_dissatisfaction_closes(desk):
    ticket_id = desk.in_status("replied")
    for _ in range(2):
        desk.do(ticket_id, "callback", satisfaction="very_dissatisfied", justified=True)
        desk.do(ticket_id, "sign")
        desk.do(ticket_id, "reply")

    ticket = desk.do(ticket_id, "callback", satisfaction="very_dissatisfied", justified=True)

    assert (ticket["status"], ticket["reopen_count"], ticket["satisfaction"]) == ("closed", 2, "very_dissatisfied")


def test_closing_without_a_callback_records_the_reason(desk):
    ticket_id = desk.in_status("replied")

    ticket = desk.do(ticket_id, "close", reason="三次回访均无法联系")

    assert (ticket["status"], ticket["satisfaction"]) == ("closed", None)
    assert ticket["timeline"][-1]["note"] == "三次回访均无法联系"


def test_a_principal_acting_for_two_departments_signs_for_the_lead(desk):
    ticket_id = desk.in_status("dispatched")
    both = Principal("dept-both", frozenset({"department"}), frozenset({"zjj", "jtj"}))

    response = desk.act(ticket_id, "sign", both)

    assert response.status_code == 200

