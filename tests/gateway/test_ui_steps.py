"""Every step of a ticket and of a card, taken through the pages (forms posted as a browser would)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from shared.clock import ManualClock
from tests.uisuite import DEMO_PASSWORD, MONDAY_9AM, csrf, demo_suite, keyed_form


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    built = demo_suite(tmp_path_factory.mktemp("steps"), ManualClock(MONDAY_9AM))
    yield built
    built.close()


class Desk:
    """Signed-in clients per demo user, and a ticket's page as each sees it."""

    def __init__(self, suite: Any) -> None:
        self.suite = suite
        self.clients: dict[str, Client] = {}

    def user(self, username: str) -> Client:
        if username not in self.clients:
            client = Client(self.suite.wsgi)
            page = client.get("/login").get_data(as_text=True)
            client.post("/login", data={"csrf_token": csrf(page), "username": username, "password": DEMO_PASSWORD})
            self.clients[username] = client
        return self.clients[username]

    def file(self, title: str) -> str:
        operator = self.user("operator")
        form = keyed_form(operator, "/operator/new", type="complaint", urgency="general", channel="phone",
                          title=title, content=f"{title}，请尽快处理", caller_phone="13500001111")
        response = operator.post("/operator/new", data=form)
        assert response.status_code == 302, response.get_data(as_text=True)[-500:]
        return response.headers["Location"].rsplit("/", 1)[1]

    def step(self, username: str, ticket_id: str, step: str, **fields: str) -> Any:
        """Take a step with the form the ticket's page offers this user (prefixed as the page names it)."""
        client = self.user(username)
        page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
        assert f'data-testid="step-{step.replace("/", "-")}"' in page, f"{username} is not offered {step}"
        slug = step.replace("/", "-")
        data = {"csrf_token": csrf(page), **{f"{slug}-{k}": v for k, v in fields.items()}}
        key = re.search(rf'name="{slug}-idempotency_key" type="hidden" value="([^"]+)"', page)
        if key:
            data[f"{slug}-idempotency_key"] = key.group(1)
        return client.post(f"/tickets/{ticket_id}/{step}", data=data)

    def status(self, ticket_id: str) -> str:
        page = self.user("dispatcher").get(f"/tickets/{ticket_id}").get_data(as_text=True)
        found = re.search(r'data-status="([a-z_]+)"', page)
        assert found
        return found.group(1)


@pytest.fixture
def desk(suite: Any) -> Desk:
    return Desk(suite)


def test_the_operator_answers_transfers_or_explains_the_legal_channel_at_intake(desk: Desk) -> None:
    answered, transferred, legal = desk.file("咨询公积金提取"), desk.file("有人落水"), desk.file("劳动合同纠纷")
    assert desk.step("operator", answered, "answer", content="可通过公积金网厅办理提取").status_code == 302
    assert desk.step("operator", transferred, "transfer", service="120", note="已转120").status_code == 302
    assert desk.step("operator", legal, "legal-channel", channel="arbitration",
                     content="请向劳动人事争议仲裁委员会申请仲裁").status_code == 302
    # A direct answer and a legal channel still get their callback (回访); a transfer ends the ticket here.
    assert [desk.status(t) for t in (answered, transferred, legal)] == ["replied", "closed", "replied"]


def test_a_return_is_requested_reviewed_and_the_ticket_redispatched(desk: Desk) -> None:
    ticket = desk.file("小区违建举报")
    desk.step("dispatcher", ticket, "dispatch", lead_department="jtj")
    assert desk.step("dept-jtj", ticket, "return", reason="违法建设不属于交通运输局职责").status_code == 302
    assert desk.status(ticket) == "return_requested"
    assert "小区违建举报" in desk.user("dispatcher").get("/dispatch/reviews").get_data(as_text=True)
    assert desk.step("dispatcher", ticket, "return/review", accept="yes", comment="同意",
                     lead_department="cgj").status_code == 302
    assert desk.status(ticket) == "dispatched"
    assert "小区违建举报" in desk.user("dept-cgj").get("/inbox").get_data(as_text=True)


def test_an_extension_is_asked_for_and_approved_and_the_reply_closes_on_callback(desk: Desk) -> None:
    ticket = desk.file("老旧小区加装电梯")
    desk.step("dispatcher", ticket, "dispatch", lead_department="zjj")
    desk.step("dept-zjj", ticket, "sign")
    assert desk.step("dept-zjj", ticket, "extension", days="5", reason="需征求全体业主意见").status_code == 302
    reviews = desk.user("dispatcher").get("/dispatch/reviews").get_data(as_text=True)
    assert "需征求全体业主意见" in reviews
    assert desk.step("dispatcher", ticket, "extension/review", approve="yes", comment="同意").status_code == 302
    page = desk.user("dept-zjj").get(f"/tickets/{ticket}").get_data(as_text=True)
    assert "已延期 5 个工作日" in page


def test_a_step_with_bad_input_shows_the_ticket_again_with_the_message_in_place(desk: Desk) -> None:
    ticket = desk.file("噪音扰民再次投诉")
    desk.step("dispatcher", ticket, "dispatch", lead_department="sthj")
    desk.step("dept-sthj", ticket, "sign")
    response = desk.step("dept-sthj", ticket, "extension", days="30", reason="短")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "应为 1–10 个工作日" in page and "长度应为 5–2000 个字" in page
    assert re.search(r'<details open data-testid="step-extension"', page)


def test_the_dispatcher_urges_merges_and_closes(desk: Desk) -> None:
    master, duplicate, unreachable = desk.file("路面塌陷"), desk.file("路面塌陷重复"), desk.file("垃圾未清运")
    desk.step("dispatcher", master, "dispatch", lead_department="zjj")
    assert desk.step("dispatcher", master, "urge", note="请今日内处置").status_code == 302
    number = re.search(r"<h1>路面塌陷 <small>(\d+)</small>",
                       desk.user("dispatcher").get(f"/tickets/{master}").get_data(as_text=True))
    assert number
    assert desk.step("dispatcher", duplicate, "merge", into=number.group(1)).status_code == 302
    assert desk.status(duplicate) == "merged"
    desk.step("dispatcher", unreachable, "dispatch", lead_department="cgj")
    desk.step("dept-cgj", unreachable, "sign")
    desk.step("dept-cgj", unreachable, "reply", content="已安排清运")
    assert desk.step("dispatcher", unreachable, "close", reason="三次回访均无法接通").status_code == 302
    assert desk.status(unreachable) == "closed"


def test_a_department_is_offered_only_its_own_steps(desk: Desk) -> None:
    ticket = desk.file("河道污染")
    desk.step("dispatcher", ticket, "dispatch", lead_department="sthj", co_departments="cgj")
    lead = desk.user("dept-sthj").get(f"/tickets/{ticket}").get_data(as_text=True)
    co = desk.user("dept-cgj").get(f"/tickets/{ticket}").get_data(as_text=True)
    assert 'data-testid="step-sign"' in lead and 'data-testid="step-assist"' not in lead
    assert 'data-testid="step-assist"' in co and 'data-testid="step-sign"' not in co
    assert desk.user("dept-jtj").get(f"/tickets/{ticket}").status_code == 404


def test_cards_are_issued_by_hand_acknowledged_and_revoked_through_the_pages(desk: Desk) -> None:
    inspector = desk.user("inspector")
    page = inspector.get("/board/cards").get_data(as_text=True)
    key = re.search(r'name="manual-idempotency_key" type="hidden" value="([^"]+)"', page)
    assert key
    form = {"csrf_token": csrf(page), "manual-idempotency_key": key.group(1), "manual-department": "rsj",
            "manual-color": "yellow", "manual-reason": "无正当理由拒绝受理"}
    assert inspector.post("/board/cards", data=form).status_code == 302
    department = desk.user("dept-rsj")
    mine = department.get("/board/cards").get_data(as_text=True)
    card = re.search(r'data-card="([0-9a-f-]+)" data-color="yellow"', mine)
    assert card and "无正当理由拒绝受理" in mine
    acknowledged = department.post(f"/board/cards/{card.group(1)}/acknowledge",
                                   data={"csrf_token": csrf(mine), "note": "已收到", "next": "/board/cards"})
    assert acknowledged.status_code == 302
    assert "单位已签收" in department.get("/board/cards").get_data(as_text=True)
    page = inspector.get("/board/cards?department=rsj").get_data(as_text=True)
    refused = inspector.post(f"/board/cards/{card.group(1)}/revoke", data={"csrf_token": csrf(page), "note": ""})
    assert refused.status_code == 302 and "flash warning" in inspector.get("/board/cards").get_data(as_text=True)
    revoked = inspector.post(f"/board/cards/{card.group(1)}/revoke",
                             data={"csrf_token": csrf(page), "note": "经核实系误判"})
    assert revoked.status_code == 302
    assert "已撤销" in inspector.get("/board/cards?department=rsj").get_data(as_text=True)


def test_the_department_inbox_lists_the_cards_it_has_not_acknowledged(desk: Desk) -> None:
    inspector = desk.user("inspector")
    page = inspector.get("/board/cards").get_data(as_text=True)
    key = re.search(r'name="manual-idempotency_key" type="hidden" value="([^"]+)"', page)
    assert key
    inspector.post("/board/cards", data={"csrf_token": csrf(page), "manual-idempotency_key": key.group(1),
                                         "manual-department": "wjw", "manual-color": "red",
                                         "manual-reason": "违规收取检查费"})
    department = desk.user("dept-wjw")
    inbox = department.get("/inbox").get_data(as_text=True)
    assert 'hx-get="/board/cards/to-acknowledge"' in inbox
    fragment = department.get("/board/cards/to-acknowledge").get_data(as_text=True)
    assert "违规收取检查费" in fragment and "<html" not in fragment
    assert "违规收取检查费" not in desk.user("dept-jyj").get("/board/cards/to-acknowledge").get_data(as_text=True)


def test_the_dispatcher_merges_a_duplicate_from_its_suggestions_in_one_click(desk: Desk) -> None:
    first = desk.file("桥下积水严重影响通行")
    second = desk.file("桥下积水严重影响通行再次反映")
    dispatcher = desk.user("dispatcher")
    page = dispatcher.get(f"/tickets/{second}").get_data(as_text=True)
    suggested = re.search(r'name="merge-into" value="(\d+)"', page)
    key = re.search(r'name="merge-idempotency_key" value="([^"]+)"', page)
    assert suggested and key, "the duplicate is offered with its merge button"
    merged = dispatcher.post(f"/tickets/{second}/merge", data={
        "csrf_token": csrf(page), "merge-idempotency_key": key.group(1), "merge-into": suggested.group(1)})
    assert merged.status_code == 302
    assert desk.status(second) == "merged" and desk.status(first) == "received"
