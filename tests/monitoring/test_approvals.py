"""The ingest API for external approval systems: statutory and promised limits, joint handling, one
extension, excluded periods and completion (《行政许可法》第42、45、82条)."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.monitoring.sweep import sweep
from shared.auth import ADMIN, DEPARTMENT, INSPECTOR
from tests.monitoring.moments import at

APPROVALS = "/api/monitoring/v1/approvals"



def iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def zjj(bearer) -> dict[str, str]:
    return bearer(DEPARTMENT, departments=("zjj",))


@pytest.fixture
def report(client, zjj, directory, clock):
    """``report(**fields)`` → POST an approval accepted Mon 11-02 10:00 (the clock then at 11:00)."""
    clock.set(at(11, 2, 11))

    def post(headers=None, **fields):
        body = {"system": "xzsp", "external_id": "ZJ-2026-0001", "item_name": "建筑工程施工许可证核发",
                "department": "zjj", "accepted_at": iso(at(11, 2, 10)), "promised_days": 10, **fields}
        return client.post(APPROVALS, json=body, headers=headers or zjj)

    return post


def clocks_of(body: dict) -> dict[str, dict]:
    return {c["kind"]: c for c in body["clocks"]}


def test_an_approval_starts_a_twenty_working_day_statutory_clock_and_its_promised_clock(report):
    response = report()

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    clocks = clocks_of(body)
    assert clocks["approval_statutory"]["due_at"] == "2026-12-01T00:00:00+08:00"  # close of Mon 11-30
    assert clocks["approval_statutory"]["limit"]["label"] == "20个工作日"
    assert clocks["approval_promised"]["due_at"] == "2026-11-17T00:00:00+08:00"  # close of Mon 11-16
    assert {c["department"] for c in body["clocks"]} == {"zjj"}
    assert clocks["approval_promised"]["subject"] == {"service": "approval", "kind": "item", "id": body["id"],
                                                      "ref": "xzsp/ZJ-2026-0001"}


def test_reporting_the_same_item_again_returns_it_with_200_and_starts_nothing(report, rows):
    first = report()

    second = report()

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert len(rows("approvals")) == 1 and len(rows("clocks")) == 2


def test_joint_handling_has_forty_five_working_days_and_no_promised_clock_unless_given(report):
    body = report(external_id="LH-1", joint=True, promised_days=None).get_json()

    clocks = clocks_of(body)
    assert set(clocks) == {"approval_statutory"}
    assert clocks["approval_statutory"]["limit"]["amount"] == 45
    # 45 working days reach into 2027, whose holidays are not published yet: the deadline says so.
    assert clocks["approval_statutory"]["provisional"] is True


def test_a_promised_limit_longer_than_the_statutory_one_is_refused_and_nothing_is_written(report, envelope, counts):
    before = counts()

    error = envelope(report(promised_days=21), 422)

    assert "promised_days" in error["errors"]
    assert counts() == before
    assert report(external_id="LH-2", joint=True, promised_days=30).status_code == 201


@pytest.mark.parametrize("fields", [
    {"accepted_at": "2026-11-02T10:00:00"},       # no offset
    {"accepted_at": iso(at(11, 3, 10))},          # in the future
    {"promised_days": 0},
    {"promised_days": "ten"},
    {"system": ""},
    {"unexpected": True},
    {"accepted_at": "0001-01-01T10:00:00+08:00"},   # year 1: an instant red card in this quarter
    {"accepted_at": "1900-01-01T10:00:00+08:00"},
    {"accepted_at": "1999-12-31T23:59:00+08:00"},
    {"accepted_at": "2026-11-02T10:00:00+08:05:43"},  # a local-mean-time offset is no RFC 3339 offset
    {"accepted_at": "2026-11-04T10:00:00+08:00"},   # more than a day ahead
    {"joint": "yes"},
    {"item_name": "   "},
])
def test_a_bad_report_gets_a_422_envelope_and_writes_nothing(report, envelope, counts, fields):
    before = counts()

    envelope(report(**fields), 422)

    assert counts() == before


def test_an_admin_reporting_for_a_department_the_directory_does_not_know_gets_422(report, bearer, envelope,
                                                                                 counts):
    before = counts()

    error = envelope(report(headers=bearer(ADMIN), department="nowhere"), 422)

    assert "department" in error["errors"] and counts() == before


def test_the_statutory_limit_extends_once_by_ten_working_days_and_a_second_time_is_409(client, report, zjj,
                                                                                       envelope, clock):
    approval = report().get_json()
    clock.set(at(11, 20, 9))

    extended = client.post(f"{APPROVALS}/{approval['id']}/extend", json={}, headers=zjj)
    again = client.post(f"{APPROVALS}/{approval['id']}/extend", json={}, headers=zjj)

    assert extended.status_code == 200
    clocks = clocks_of(extended.get_json())
    assert clocks["approval_statutory"]["due_at"] == "2026-12-15T00:00:00+08:00"
    assert clocks["approval_promised"]["due_at"] == "2026-11-17T00:00:00+08:00"  # the promise does not move
    envelope(again, 409)


def test_a_joint_approval_extends_by_fifteen_working_days(client, report, zjj, calendar):
    from shared.calendar import TimeLimit

    approval = report(external_id="LH-3", joint=True, promised_days=None).get_json()
    before = datetime.fromisoformat(approval["clocks"][0]["due_at"])

    body = client.post(f"{APPROVALS}/{approval['id']}/extend", json={}, headers=zjj).get_json()

    assert datetime.fromisoformat(body["clocks"][0]["due_at"]) == calendar.extend(before,
                                                                                 TimeLimit.workdays(15)).due_at


def test_an_expert_review_pauses_both_clocks_and_resuming_moves_them_by_the_working_days_it_took(
        client, report, zjj, clock, monitoring):
    approval = report().get_json()
    clock.set(at(11, 4, 11))
    paused = client.post(f"{APPROVALS}/{approval['id']}/pause",
                         json={"reason": "专家评审", "at": iso(at(11, 4, 10))}, headers=zjj)
    clock.set(at(11, 30))
    assert sweep(monitoring).examined == 0  # a paused approval is never swept, even past its due times
    clock.set(at(11, 11, 12))

    resumed = client.post(f"{APPROVALS}/{approval['id']}/resume", json={"at": iso(at(11, 11, 10))}, headers=zjj)

    assert paused.status_code == 200 and paused.get_json()["status"] == "paused"
    assert {c["state"] for c in paused.get_json()["clocks"]} == {"paused"}
    body = resumed.get_json()
    assert body["status"] == "running" and body["pause_reason"] is None
    clocks = clocks_of(body)  # 11-04, 05, 06, 09 and 10 closed during the review
    assert clocks["approval_statutory"]["due_at"] == "2026-12-08T00:00:00+08:00"
    assert clocks["approval_promised"]["due_at"] == "2026-11-24T00:00:00+08:00"
    assert clocks["approval_statutory"]["paused_workdays"] == 5


def test_completing_stops_each_clock_on_time_or_late_by_its_own_due_time(client, report, zjj, clock):
    approval = report().get_json()
    clock.set(at(11, 20, 9))

    done = client.post(f"{APPROVALS}/{approval['id']}/complete", json={}, headers=zjj).get_json()

    clocks = clocks_of(done)
    assert done["status"] == "completed" and done["completed_at"] == "2026-11-20T09:00:00+08:00"
    assert (clocks["approval_statutory"]["outcome"], clocks["approval_promised"]["outcome"]) == ("on_time", "late")
    assert {c["state"] for c in done["clocks"]} == {"stopped"}


def test_wrong_moments_and_wrong_states_are_refused(client, report, zjj, envelope, counts):
    approval_id = report().get_json()["id"]
    before = counts()

    envelope(client.post(f"{APPROVALS}/{approval_id}/resume", json={}, headers=zjj), 409)
    envelope(client.post(f"{APPROVALS}/{approval_id}/pause", json={"reason": "听证", "at": iso(at(11, 1))},
                         headers=zjj), 422)
    envelope(client.post(f"{APPROVALS}/{approval_id}/pause", json={"reason": "听证", "at": iso(at(11, 5))},
                         headers=zjj), 422)
    envelope(client.post(f"{APPROVALS}/{approval_id}/pause", json={"reason": "听证", "at": "2026-11-02"},
                         headers=zjj), 422)

    assert counts() == before


def test_other_departments_cannot_report_or_see_an_approval_and_inspectors_can_read_it(
        client, report, bearer, envelope):
    approval_id = report().get_json()["id"]
    cgj = bearer(DEPARTMENT, departments=("cgj",))

    envelope(report(headers=cgj, external_id="X-2"), 403)
    envelope(client.get(f"{APPROVALS}/{approval_id}", headers=cgj), 404)
    envelope(client.post(f"{APPROVALS}/{approval_id}/complete", json={}, headers=cgj), 404)
    envelope(client.post(f"{APPROVALS}/{approval_id}/complete", json={}, headers=bearer(INSPECTOR)), 403)
    assert client.get(f"{APPROVALS}/{approval_id}", headers=bearer(INSPECTOR)).status_code == 200
    assert report(headers=bearer(ADMIN), external_id="X-3").status_code == 201


def test_an_overdue_promise_gets_its_yellow_card_like_any_clock(report, monitoring, clock, rows):
    report()
    clock.set(at(11, 17, 1))

    result = sweep(monitoring)

    assert result.yellows == 1
    card = rows("cards")[0]
    assert (card.subject_service, card.department) == ("approval", "zjj")
    assert "承诺办结时限" in card.reason


# -- the key is (department, system, external_id) -----------------------------------------------------
def test_another_departments_same_external_id_is_a_different_approval_never_the_first_ones(report, bearer, rows):
    """Filing scjg's id as zjj neither reads scjg's approval nor blocks scjg from filing it."""
    scjg = bearer(DEPARTMENT, departments=("scjg",))
    zjj_first = report()

    scjg_own = report(headers=scjg, department="scjg", item_name="食品经营许可")

    assert (zjj_first.status_code, scjg_own.status_code) == (201, 201)
    body = scjg_own.get_json()
    assert body["id"] != zjj_first.get_json()["id"]
    assert body["department"] == "scjg" and body["item_name"] == "食品经营许可"
    assert {c["department"] for c in body["clocks"]} == {"scjg"}
    assert len(rows("approvals")) == 2


def test_the_same_key_reported_with_other_facts_is_a_409_and_changes_nothing(report, envelope, counts):
    report()
    before = counts()

    error = envelope(report(item_name="另一个事项"), 409)

    assert "item_name" in error["errors"]
    assert counts() == before
    assert report().status_code == 200


def test_the_hotline_office_pseudo_department_files_no_approvals(report, bearer, envelope, counts):
    before = counts()

    error = envelope(report(headers=bearer(ADMIN), department="12345"), 422)

    assert "department" in error["errors"] and counts() == before
