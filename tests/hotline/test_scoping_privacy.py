"""Who sees what: department scoping, confidential tickets, and the anonymous public status lookup
(DESIGN §6 "Public status", §8)."""

from __future__ import annotations

import json

import pytest

TICKETS = "/api/hotline/v1/tickets"
PUBLIC = "/api/hotline/v1/public/status"
CALLER = {"name": "张三丰", "phone": "13812345678"}
ADDRESS = "东城区和平里街道幸福路88号"


# -- department scoping -----------------------------------------------------------------------------

def test_another_department_gets_the_same_404_as_for_a_ticket_that_does_not_exist(desk, envelope):
    ticket_id = desk.in_status("dispatched")  # zjj lead, cgj co

    hidden = envelope(desk.get(f"{TICKETS}/{ticket_id}", "dept-jtj"), 404)
    missing = envelope(desk.get(f"{TICKETS}/{'0' * 36}", "dept-jtj"), 404)

    assert hidden["message"] == missing["message"]
    assert set(hidden["errors"]) == set(missing["errors"])


@pytest.mark.parametrize("user", ["dept-zjj", "dept-cgj", "operator", "dispatcher", "inspector", "admin"])
def test_the_lead_the_co_department_and_citywide_staff_see_the_ticket(desk, user):
    ticket_id = desk.in_status("dispatched")

    assert desk.get(f"{TICKETS}/{ticket_id}", user).status_code == 200


@pytest.mark.parametrize(("status", "action"), [
    ("dispatched", "sign"),
    ("dispatched", "return"),
    ("signed", "extension"),
    ("signed", "reply"),
    ("signed", "assist"),
])
def test_another_department_acting_on_a_ticket_gets_404_and_changes_nothing(desk, envelope, status, action):
    ticket_id = desk.in_status(status)
    before, counts = desk.stored(ticket_id), desk.counts()

    envelope(desk.act(ticket_id, action, "dept-jtj"), 404)

    assert (desk.stored(ticket_id), desk.counts()) == (before, counts)


@pytest.mark.parametrize(("status", "action"), [
    ("dispatched", "sign"),
    ("dispatched", "return"),
    ("signed", "extension"),
    ("signed", "reply"),
])
def test_a_co_department_may_not_do_the_lead_departments_work(desk, envelope, status, action):
    ticket_id = desk.in_status(status)
    before, counts = desk.stored(ticket_id), desk.counts()

    envelope(desk.act(ticket_id, action, "dept-cgj"), 403)

    assert (desk.stored(ticket_id), desk.counts()) == (before, counts)


def test_the_lead_department_may_not_file_an_assisting_opinion(desk, envelope):
    ticket_id = desk.in_status("signed")
    before = desk.stored(ticket_id)

    envelope(desk.act(ticket_id, "assist", "dept-zjj"), 403)

    assert desk.stored(ticket_id) == before


def test_a_co_department_files_an_assisting_opinion(desk):
    ticket_id = desk.in_status("signed")

    response = desk.act(ticket_id, "assist", "dept-cgj")

    assert response.status_code == 200
    assert response.get_json()["timeline"][-1]["department"] == "cgj"


def test_a_co_department_opinion_is_recorded_under_its_own_department(desk):
    ticket_id = desk.in_status("signed")

    desk.run(ticket_id, "assist", "dept-cgj")

    entry = desk.ticket(ticket_id)["timeline"][-1]
    assert (entry["action"], entry["department"], entry["to_status"]) == ("assisted", "cgj", "signed")


def test_department_staff_never_see_the_query_code_not_even_as_null(desk):
    ticket_id = desk.in_status("dispatched")

    assert "query_code" not in desk.ticket(ticket_id, "dept-zjj")
    assert "query_code" not in desk.ticket(ticket_id, "inspector")
    assert desk.ticket(ticket_id, "operator")["query_code"]


# -- confidential tickets (保密件) --------------------------------------------------------------------

@pytest.mark.parametrize("user", ["dept-zjj", "dept-cgj", "inspector"])
def test_outside_the_hotline_office_a_confidential_callers_details_are_masked(desk, user):
    ticket_id = desk.in_status("dispatched", confidential=True, caller=CALLER, address=ADDRESS)

    ticket = desk.ticket(ticket_id, user)

    assert ticket["caller"] == {"name": "张**", "phone": "138****5678"}
    assert ticket["address"] == "东城区***"
    raw = json.dumps(ticket, ensure_ascii=False)
    assert CALLER["phone"] not in raw and CALLER["name"] not in raw and "幸福路88号" not in raw


@pytest.mark.parametrize("user", ["operator", "dispatcher", "admin"])
def test_the_hotline_office_sees_a_confidential_caller_in_full(desk, user):
    ticket_id = desk.in_status("dispatched", confidential=True, caller=CALLER, address=ADDRESS)

    ticket = desk.ticket(ticket_id, user)

    assert ticket["caller"] == CALLER
    assert ticket["address"] == ADDRESS


def test_a_confidential_caller_is_masked_in_department_lists_too(desk):
    desk.in_status("dispatched", confidential=True, caller=CALLER, address=ADDRESS)

    page = desk.get(TICKETS, "dept-zjj").get_json()

    assert [t["caller"] for t in page["items"]] == [{"name": "张**", "phone": "138****5678"}]
    assert CALLER["phone"] not in json.dumps(page)


def test_the_lead_department_sees_an_ordinary_caller_so_it_can_call_back(desk):
    ticket_id = desk.in_status("dispatched", caller=CALLER, address=ADDRESS)

    assert desk.ticket(ticket_id, "dept-zjj")["caller"] == CALLER


def test_the_audit_trail_and_events_never_hold_the_callers_personal_data(desk):
    ticket_id = desk.in_status("closed", caller=CALLER, address=ADDRESS)
    assert desk.stored(ticket_id).status == "closed"

    audit = json.dumps([(r.before, r.after) for r in desk.audit_rows()], ensure_ascii=False)
    events = " ".join(r.body for r in desk.rows("outbox"))

    for secret in (CALLER["name"], CALLER["phone"], "幸福路88号"):
        assert secret not in audit
    for secret in (CALLER["name"], CALLER["phone"]):
        assert secret not in events


def test_only_the_received_event_carries_the_address_for_the_case_index(desk):
    """The case index returns an address only to roles that may see it, so it needs it once; no other event."""
    desk.in_status("closed", caller=CALLER, address=ADDRESS)

    holding = {r.routing_key for r in desk.rows("outbox") if "幸福路88号" in r.body}

    assert holding == {"hotline.ticket.received"}


# -- the public status lookup -----------------------------------------------------------------------

def public(desk, number: str, code: str, remote_addr: str = "203.0.113.7"):
    return desk.client.get(PUBLIC, query_string={"number": number, "code": code},
                           environ_overrides={"REMOTE_ADDR": remote_addr})


def replied_with_history(desk) -> dict:
    """A non-confidential ticket dispatched, urged, assisted, signed and replied to."""
    filed = desk.file(caller=CALLER, address=ADDRESS, title="和平里小区夜间施工扰民",
                      content="工地每晚十一点后仍在打桩，联系人王五13988889999")
    desk.run(filed["id"], "dispatch")
    desk.run(filed["id"], "urge", note="请尽快处置，内部催办意见")
    desk.run(filed["id"], "sign")
    desk.run(filed["id"], "assist", content="城管协办：已调取夜间巡查记录")
    desk.run(filed["id"], "reply", content="已责令施工方停止夜间作业，负责人赵六承诺整改")
    return filed


def test_the_public_sees_the_status_and_the_public_timeline_with_labels_and_department_names(desk):
    filed = replied_with_history(desk)

    response = public(desk, filed["number"], filed["query_code"])

    assert response.status_code == 200
    view = response.get_json()
    assert (view["number"], view["status"], view["status_label"]) == (filed["number"], "replied", "已答复待回访")
    assert view["lead_department"] == "市住房和城乡建设局"
    assert [(e["action"], e["action_label"], e["department"]) for e in view["timeline"]] == [
        ("received", "受理", None), ("dispatched", "派单", "市住房和城乡建设局"),
        ("signed", "签收", "市住房和城乡建设局"), ("replied", "答复", "市住房和城乡建设局")]
    assert view["caller"] == {"name": "张**", "phone": "138****5678"}
    assert view["address"] == "东城区***"
    assert view["updated_at"].endswith("+08:00")


def test_the_public_view_contains_no_title_content_reply_or_personal_data(desk):
    filed = replied_with_history(desk)

    body = public(desk, filed["number"], filed["query_code"]).get_data(as_text=True)

    for secret in ("张三丰", "13812345678", "幸福路88号", "和平里小区夜间施工扰民", "打桩", "13988889999",
                   "王五", "赵六", "停止夜间作业", "内部催办", "巡查记录", "dispatcher", "dept-zjj"):
        assert secret not in body, secret
    assert set(json.loads(body)) == {"number", "status", "status_label", "confidential", "updated_at", "type",
                                     "type_label", "created_at", "caller", "address", "lead_department",
                                     "handle_due_at", "timeline"}


def test_the_query_code_is_not_case_sensitive(desk):
    filed = desk.file()

    assert public(desk, filed["number"], filed["query_code"].lower()).status_code == 200


def test_a_wrong_code_and_an_unknown_number_get_the_same_404(desk, envelope):
    filed = desk.file()
    wrong_code = "Z" * 6 if filed["query_code"] != "Z" * 6 else "Y" * 6

    wrong = envelope(public(desk, filed["number"], wrong_code), 404)
    unknown = envelope(public(desk, "20991231999999", filed["query_code"]), 404)

    assert wrong == unknown


@pytest.mark.parametrize("query", [{"number": "20261123000001"}, {"code": "ABCDEF"},
                                   {"number": "1", "code": "ABCDEF"}])
def test_an_incomplete_public_query_gets_422(desk, envelope, query):
    envelope(desk.client.get(PUBLIC, query_string=query), 422)


def test_a_confidential_ticket_shows_the_public_its_status_only(desk):
    ticket_id = desk.in_status("dispatched", confidential=True, caller=CALLER, address=ADDRESS)
    filed = desk.ticket(ticket_id, "operator")

    view = public(desk, filed["number"], filed["query_code"]).get_json()

    assert set(view) == {"number", "status", "status_label", "confidential", "updated_at"}
    assert (view["status"], view["confidential"]) == ("dispatched", True)


def test_a_merged_ticket_tells_the_public_it_was_merged(desk):
    ticket_id = desk.in_status("merged")
    filed = desk.ticket(ticket_id, "operator")

    view = public(desk, filed["number"], filed["query_code"]).get_json()

    assert view["status"] == "merged"
    assert "merged" in view["note"]
    assert view["timeline"][-1]["action_label"] == "并单"


def test_the_public_lookup_is_rate_limited_per_client_with_retry_after(make_desk, envelope):
    desk = make_desk(public_rate_limit=3)
    filed = desk.file()

    answers = [public(desk, filed["number"], filed["query_code"]).status_code,
               public(desk, filed["number"], "WRONG2").status_code,
               public(desk, "20991231999999", "WRONG2").status_code]
    limited = public(desk, filed["number"], filed["query_code"])

    assert answers == [200, 404, 404]  # wrong guesses count too
    body = envelope(limited, 429)
    assert body["status"] == "Too Many Requests"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert public(desk, filed["number"], filed["query_code"], remote_addr="198.51.100.9").status_code == 200
