"""The rectification screens: a notice answered and verified, a bad review called back, rectified and rated,
all through the pages; the public rates a closed ticket and reads the published feedback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from shared.clock import ManualClock
from shared.roles import DEPARTMENT, DISPATCHER, OPERATOR, Principal
from tests.uisuite import MONDAY_9AM, csrf, demo_suite, keyed_form, signed_in


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    built = demo_suite(tmp_path_factory.mktemp("rectification"), ManualClock(MONDAY_9AM))
    yield built
    built.close()


def step(client: Client, page_path: str, kind: str, case_id: str, name: str, **fields: str) -> Any:
    """Post the step's form as the case's page offers it (prefixed fields, its idempotency key)."""
    page = client.get(page_path).get_data(as_text=True)
    slug = name.replace("/", "-")
    assert f'data-testid="step-{slug}"' in page, f"step {name} is not offered"
    data = {"csrf_token": csrf(page), **{f"{slug}-{k}": v for k, v in fields.items()}}
    key = re.search(rf'name="{slug}-idempotency_key" type="hidden" value="([^"]+)"', page)
    if key:
        data[f"{slug}-idempotency_key"] = key.group(1)
    return client.post(f"/rectification/{kind}/{case_id}/{name}", data=data)


def status_of(client: Client, path: str) -> str:
    found = re.search(r'data-testid="status">(?:<span class="badge" data-status=")?([^"<]+)',
                      client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def test_a_notice_is_issued_answered_returned_and_closed_through_the_pages(suite: Any) -> None:
    inspector, zjj = signed_in(suite, "inspector"), signed_in(suite, "dept-zjj")
    page = inspector.get("/rectification/notices").get_data(as_text=True)
    key = re.search(r'name="issue-idempotency_key" type="hidden" value="([^"]+)"', page)
    assert key, "the issue form carries an idempotency key"
    issued = inspector.post("/rectification/notices", data={
        "csrf_token": csrf(page), "issue-idempotency_key": key.group(1), "issue-department": "zjj",
        "issue-findings": "工地围挡破损长期未修复", "issue-requirements": "三日内修复围挡", "issue-deadline_days": "5"})
    assert issued.status_code == 302, issued.get_data(as_text=True)[-800:]
    listing = zjj.get("/rectification/notices").get_data(as_text=True)
    found = re.search(r'data-notice="([^"]+)">(?:(?!</tr>).)*工地围挡', listing, re.S)
    assert found, "the department sees the new notice"
    notice_id = found.group(1)
    path = f"/rectification/notices/{notice_id}"

    assert signed_in(suite, "dept-cgj").get(path).status_code == 404
    assert step(zjj, path, "notice", notice_id, "acknowledge").status_code == 302
    assert step(zjj, path, "notice", notice_id, "report", measures="已修复围挡并加装警示灯").status_code == 302
    refused = step(inspector, path, "notice", notice_id, "verify", comment="")
    assert refused.status_code == 422 and "请选择验收结果" in refused.get_data(as_text=True)
    failed = step(inspector, path, "notice", notice_id, "verify", result="fail", comment="缺少现场照片")
    assert failed.status_code == 302
    assert status_of(zjj, path) == "returned"
    step(zjj, path, "notice", notice_id, "report", measures="补充修复前后现场照片")
    assert step(inspector, path, "notice", notice_id, "verify", result="pass", comment="整改到位").status_code == 302

    assert status_of(inspector, path) == "closed"
    printed = zjj.get(path + "/print")
    assert printed.status_code == 200 and printed.mimetype == "text/html"
    assert "（印章）" in printed.get_data(as_text=True)


def test_a_bad_review_is_called_back_rectified_and_its_rating_recorded_through_the_pages(suite: Any) -> None:
    dispatcher, zjj = signed_in(suite, "dispatcher"), signed_in(suite, "dept-zjj")
    listing = dispatcher.get("/rectification/reviews?status=pending_callback").get_data(as_text=True)
    review_id = re.search(r'data-review="([^"]+)"', listing).group(1)  # type: ignore[union-attr]
    path = f"/rectification/reviews/{review_id}"

    called = step(dispatcher, path, "review", review_id, "callback", confirmed="yes", note="电话回访属实")
    assert called.status_code == 302
    assert 'data-testid="step-rectify"' not in signed_in(suite, "dept-cgj").get(path).get_data(as_text=True)
    assert step(zjj, path, "review", review_id, "rectify", text="精简材料清单并一次性告知").status_code == 302
    assert step(dispatcher, path, "review", review_id, "rate", level="4", comment="满意").status_code == 302

    page = dispatcher.get(path).get_data(as_text=True)
    assert "已办结" in page and "满意" in page


def closed_ticket(suite: Any) -> dict[str, Any]:
    """A ticket filed, handled by 住建局 and closed after its callback, through the hotline's API."""
    api = Client(suite.wsgi)

    def as_(role: str, *departments: str) -> dict[str, str]:
        principal = Principal(f"t-{role}", frozenset({role}), frozenset(departments))
        now = suite.databases["gateway"].clock.now()
        return {"Authorization": f"Bearer {suite.tokens.issue(principal, now=now)}"}

    ticket = api.post("/api/hotline/v1/tickets", json={
        "type": "complaint", "urgency": "general", "title": "楼道灯不亮", "content": "三单元楼道灯坏了两周",
        "caller": {"name": "孙七", "phone": "13700007777"}}, headers=as_(OPERATOR)).get_json()
    path = f"/api/hotline/v1/tickets/{ticket['id']}"
    api.post(path + "/dispatch", json={"lead_department": "zjj"}, headers=as_(DISPATCHER))
    api.post(path + "/sign", json={}, headers=as_(DEPARTMENT, "zjj"))
    api.post(path + "/reply", json={"content": "已更换灯具"}, headers=as_(DEPARTMENT, "zjj"))
    api.post(path + "/callback", json={"satisfaction": "satisfied"}, headers=as_(DISPATCHER))
    suite.runtime.run_until_idle()
    return ticket  # type: ignore[no-any-return]


def test_the_public_rates_a_closed_ticket_and_reads_the_feedback_without_personal_data(suite: Any) -> None:
    ticket = closed_ticket(suite)
    public = Client(suite.wsgi)

    wrong = public.post("/review", data=keyed_form(public, "/review", number=ticket["number"], code="ZZZZZZ",
                                                   level="1"))
    assert wrong.status_code == 422 and "核对工单编号和查询码" in wrong.get_data(as_text=True)
    rated = public.post("/review", data=keyed_form(public, "/review", number=ticket["number"],
                                                   code=ticket["query_code"], level="2", comment="修得太慢"))
    assert rated.status_code == 201 and "评价编号" in rated.get_data(as_text=True)
    again = public.post("/review", data=keyed_form(public, "/review", number=ticket["number"],
                                                   code=ticket["query_code"], level="2"))
    assert again.status_code == 422

    feedback = public.get("/feedback").get_data(as_text=True)
    assert "市住房和城乡建设局" in feedback
    assert "孙七" not in feedback and "13700007777" not in feedback


def test_rectification_pages_sit_in_the_navigation_of_the_roles_that_use_them(suite: Any) -> None:
    for username in ("inspector", "dispatcher", "dept-zjj"):
        home = signed_in(suite, username).get("/rectification/notices").get_data(as_text=True)
        assert 'href="/rectification/reviews"' in home, username
    assert signed_in(suite, "operator").get("/rectification/notices").status_code == 403


def test_staff_search_every_case_with_facets_and_highlights_within_their_scope(suite: Any) -> None:
    closed_ticket(suite)
    inspector = signed_in(suite, "inspector")

    page = inspector.get("/search?q=楼道灯").get_data(as_text=True)
    assert 'data-kind="ticket"' in page and "<em>" in page
    assert 'data-testid="facet-kind"' in page and 'data-testid="facet-department"' in page
    notices = inspector.get("/search?q=围挡&kind=notice").get_data(as_text=True)
    assert 'data-kind="notice"' in notices and 'data-kind="ticket"' not in notices
    other = signed_in(suite, "dept-cgj").get("/search?q=楼道灯").get_data(as_text=True)
    assert 'data-kind="ticket"' not in other
    assert inspector.get("/search?from=2026-12-01&to=2026-11-01").status_code == 200  # refused filters: a message
