"""The hotline and monitoring pages on the embedded suite, through the gateway (no browser)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from shared.clock import ManualClock
from tests.uisuite import DEMO_PASSWORD, MONDAY_9AM, csrf, demo_suite, keyed_form


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    built = demo_suite(tmp_path_factory.mktemp("ui"), ManualClock(MONDAY_9AM))
    yield built
    built.close()


def signed_in(suite: Any, username: str) -> Client:
    client = Client(suite.wsgi)
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": csrf(page), "username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def ticket_form(client: Client, **fields: str) -> dict[str, str]:
    return keyed_form(client, "/operator/new", type="complaint", urgency="general", channel="phone", **fields)


def test_the_new_ticket_form_says_what_is_wrong_next_to_each_field(suite: Any) -> None:
    operator = signed_in(suite, "operator")
    response = operator.post("/operator/new", data=ticket_form(operator, title="x", content="", caller_phone="abc"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="title-error"[^>]*>长度应为 2–200 个字', page)
    assert re.search(r'id="content-error"[^>]*>此项必填', page)
    assert re.search(r'id="caller_phone-error"[^>]*>不是有效的电话号码', page)
    assert 'aria-invalid="true"' in page


def test_submitting_the_same_form_twice_files_one_ticket(suite: Any) -> None:
    operator = signed_in(suite, "operator")
    data = ticket_form(operator, title="路灯不亮影响出行", content="幸福路路灯连续三晚不亮")
    first = operator.post("/operator/new", data=data)
    second = operator.post("/operator/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]  # the Idempotency-Key replayed the answer
    page = operator.get(first.headers["Location"]).get_data(as_text=True)
    assert "路灯不亮影响出行" in page and 'data-testid="query-code"' in page


def test_live_duplicate_suggestions_come_from_searchs_similar_cases_posted_with_the_phone(suite: Any) -> None:
    operator = signed_in(suite, "operator")
    token = csrf(operator.get("/operator/new").get_data(as_text=True))

    def ask(**fields: str) -> str:
        response = operator.post("/operator/similar", data=fields, headers={"X-CSRFToken": token})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    fragment = ask(title="工地夜间施工噪音")
    assert "建筑工地夜间施工噪音" in fragment and "<em>" in fragment  # search's highlight, its <em> kept
    assert "<html" not in fragment  # a fragment for htmx to swap in
    assert "同一来电人" in ask(title="停水", caller_phone="13900139002")  # the demo caller of 幸福里停水
    assert "未找到疑似重复" in ask(title="量子纠缠")
    assert operator.post("/operator/similar", data={"title": "噪音"}).status_code == 302  # no CSRF token: refused


def test_a_department_sees_only_its_own_tickets(suite: Any) -> None:
    department = signed_in(suite, "dept-zjj")
    page = department.get("/tickets").get_data(as_text=True)
    assert "建筑工地夜间施工噪音" in page      # zjj's
    assert "小区楼下餐馆油烟扰民" not in page  # sthj's


def test_a_step_the_state_no_longer_allows_comes_back_as_a_message(suite: Any) -> None:
    dispatcher = signed_in(suite, "dispatcher")
    queue = dispatcher.get("/dispatch").get_data(as_text=True)
    ticket_id = re.search(r'/tickets/([0-9a-f-]{36})/dispatch', queue)
    assert ticket_id
    form = {"csrf_token": csrf(queue), "dispatch-lead_department": "jtj", "dispatch-note": ""}
    assert dispatcher.post(f"/tickets/{ticket_id.group(1)}/dispatch", data=form).status_code == 302
    again = dispatcher.post(f"/tickets/{ticket_id.group(1)}/dispatch", data=form)
    assert again.status_code == 302 and again.headers["Location"] == f"/tickets/{ticket_id.group(1)}"
    assert "flash warning" in dispatcher.get(again.headers["Location"]).get_data(as_text=True)


def test_the_board_counts_by_department_and_carries_its_chart_data(suite: Any) -> None:
    inspector = signed_in(suite, "inspector")
    page = inspector.get("/board").get_data(as_text=True)
    assert 'id="board-data"' in page and "echarts-6.1.0/echarts.common.min.js" in page
    assert 'data-department="sthj"' in page
    live = inspector.get("/board/live").get_data(as_text=True)
    assert 'data-testid="total-yellow"' in live and "<html" not in live


def test_the_vendored_scripts_are_served_by_the_app(suite: Any) -> None:
    client = Client(suite.wsgi)
    for path in ("/static/vendor/htmx-2.0.11/htmx.min.js", "/static/vendor/echarts-6.1.0/echarts.common.min.js",
                 "/static/board.js", "/static/ui.css"):
        response = client.get(path)
        try:
            assert response.status_code == 200, path
        finally:
            response.close()


def test_the_pages_reach_the_services_over_http_in_the_distributed_shape(suite: Any) -> None:
    """The same pages, with the gateway calling the services through an HTTP server (the edge's place)."""
    from werkzeug.serving import make_server

    from gateway.ui import attach_services
    from gateway.ui.client import InProcess, OverHttp

    server = make_server("127.0.0.1", 0, suite.wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway_app = suite.apps["gateway"]
    attach_services(gateway_app, OverHttp(f"http://127.0.0.1:{server.server_port}"))
    try:
        inspector = signed_in(suite, "inspector")
        page = inspector.get("/board/cards").get_data(as_text=True)
        assert 'data-testid="cards"' in page
        assert inspector.get("/tickets").status_code == 200
    finally:
        attach_services(gateway_app, InProcess(suite.wsgi))
        server.shutdown()
        thread.join(timeout=10)
