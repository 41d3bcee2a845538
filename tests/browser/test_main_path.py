"""Each user's main path through the pages alone, in headless Chromium (issue: steps 1–6 of "Done when")."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD

TITLE = "小区夜间施工噪音扰民"
SECOND = "道路井盖缺失存在安全隐患"


def file_ticket(page: Any, url: str, *, title: str, content: str, name: str, phone: str,
                address: str) -> tuple[str, str]:
    page.goto(f"{url}/operator/new")
    page.get_by_label("诉求类型").select_option(label="投诉")
    page.get_by_label("标题").fill(title)
    page.get_by_label("诉求内容").fill(content)
    page.get_by_label("来电人姓名").fill(name)
    page.get_by_label("联系电话").fill(phone)
    page.get_by_label("事发地址").fill(address)
    page.get_by_role("button", name="受理").click()
    expect(page.locator(".flash.success")).to_contain_text("已受理")
    number = page.locator("h1 small").inner_text().strip()
    code = page.get_by_test_id("query-code").inner_text().strip()
    return number, code


def dispatch(page: Any, url: str, number: str, department: str) -> None:
    page.goto(f"{url}/dispatch")
    item = page.locator(f'[data-testid="queue-item"][data-number="{number}"]')
    item.get_by_label("主办单位").select_option(label=department)
    item.get_by_label("派单意见").fill("请按时限办理并答复来电人")
    item.get_by_role("button", name="派单").click()
    expect(page.locator(".flash.success")).to_contain_text("已派单")


def test_operator_dispatcher_department_callback_public_and_inspector(live: Any, session_for: Any, shoot: Any) -> None:
    url = live.url

    # 1. The operator files a ticket; the form says what is wrong in place, and suggests duplicates live.
    operator = session_for("operator")
    expect(operator).to_have_url(f"{url}/operator/new")
    operator.get_by_label("标题").fill("噪")
    operator.get_by_role("button", name="受理").click()
    expect(operator.locator("#title-error")).to_contain_text("长度应为")
    expect(operator.locator("#content-error")).to_contain_text("此项必填")
    operator.get_by_label("标题").fill("工地夜间施工噪音")
    expect(operator.get_by_test_id("similar")).to_contain_text("建筑工地夜间施工噪音", timeout=10_000)
    shoot(operator, "01-operator-new-ticket")
    number, code = file_ticket(operator, url, title=TITLE, content="工地每晚十一点后仍在打桩，严重影响休息",
                               name="张三丰", phone="13812345678", address="东城区滨江路88号")
    second, _code = file_ticket(operator, url, title=SECOND, content="路口井盖缺失，夜间行人容易跌落",
                                name="李四光", phone="13900001111", address="西城区建设路12号")
    shoot(operator, "01-operator-ticket-filed")
    operator.goto(f"{url}/operator/mine")
    expect(operator.locator("table")).to_contain_text(number)

    # 2. The dispatcher dispatches both: to a lead unit picked from the list.
    dispatcher = session_for("dispatcher")
    expect(dispatcher).to_have_url(f"{url}/dispatch")
    shoot(dispatcher, "02-dispatch-queue")
    dispatch(dispatcher, url, number, "市住房和城乡建设局")
    dispatch(dispatcher, url, second, "市城市管理综合执法局")

    # 3. The department signs from its inbox, with the countdown shown, and replies on the ticket's page.
    department = session_for("dept-zjj")
    expect(department).to_have_url(f"{url}/inbox")
    row = department.get_by_test_id("to-sign").locator("tr", has_text=number)
    expect(row).to_contain_text("剩")
    shoot(department, "03-department-inbox")
    row.get_by_role("button", name="签收").click()
    expect(department.locator(".flash.success")).to_contain_text("已签收")
    answer_row = department.get_by_test_id("to-answer").locator("tr", has_text=number)
    expect(answer_row).to_contain_text("个工作日")
    answer_row.get_by_role("link").first.click()
    department.get_by_test_id("step-reply").locator("summary").click()
    department.get_by_test_id("step-reply").get_by_label("答复内容").fill("已责令施工单位夜间停止打桩，并加强巡查")
    department.get_by_test_id("step-reply").get_by_role("button", name="答复").click()
    expect(department.locator(".flash.success")).to_contain_text("已答复")
    expect(department.get_by_test_id("timeline")).to_contain_text("签收")
    shoot(department, "03-department-replied")

    # 4. The dispatcher calls back and records satisfaction on the five-level form.
    dispatcher.goto(f"{url}/dispatch/callbacks")
    item = dispatcher.locator(f'[data-testid="queue-item"][data-number="{number}"]')
    item.get_by_label("满意", exact=True).check()
    item.get_by_label("回访记录").fill("来电人表示噪音已停止")
    shoot(dispatcher, "04-callback")
    item.get_by_role("button", name="回访").click()
    expect(dispatcher.locator(".flash.success")).to_contain_text("回访已记录")

    # 5. The public checks the status with the number and query code: no personal data on the page.
    public = session_for(None, viewport={"width": 390, "height": 844})
    public.goto(f"{url}/")
    public.get_by_label("工单编号").fill(number)
    public.get_by_label("查询码").fill(code)
    public.get_by_role("button", name="查询").click()
    expect(public.get_by_test_id("result")).to_contain_text("已办结")
    expect(public.get_by_test_id("result")).to_contain_text("市住房和城乡建设局")
    page_text = public.locator("body").inner_text()
    for secret in ("张三丰", "13812345678", "滨江路88号"):
        assert secret not in page_text
    shoot(public, "05-public-status")

    # 6. The inspector sees the board with its charts; once time passes, the unsigned ticket earns a yellow card.
    inspector = session_for("inspector")
    expect(inspector).to_have_url(f"{url}/board")
    expect(inspector.locator("body")).to_have_attribute("data-charts-drawn", "2")
    assert inspector.locator('[data-chart="cards"] canvas').count() == 1
    yellow_before = int(inspector.get_by_test_id("total-yellow").inner_text())
    shoot(inspector, "06-board")
    live.clock.advance(timedelta(days=3))     # Thursday: the sign-in limit (1 working day) has long passed
    live.suite.runtime.run_periodic(force=True)  # the product's own periodic sweep, on the moved clock
    live.drain()
    inspector.reload()
    # Three days is longer than a login lasts (one shift): the page says so and brings the inspector back.
    expect(inspector.locator(".flash.warning")).to_contain_text("登录已过期")
    inspector.get_by_label("用户名").fill("inspector")
    inspector.get_by_label("密码").fill(PASSWORD)
    inspector.get_by_role("button", name="登录").click()
    expect(inspector).to_have_url(f"{url}/board")
    expect(inspector.locator("body")).to_have_attribute("data-charts-drawn", "2")
    assert int(inspector.get_by_test_id("total-yellow").inner_text()) > yellow_before
    shoot(inspector, "06-board-after-time-passed")
    expect(inspector.get_by_test_id("board-table").locator('tr[data-department="cgj"]')).to_contain_text(
        re.compile(r"\d"))
    inspector.get_by_role("link", name="黄红牌").click()
    filters = inspector.get_by_role("search")
    filters.get_by_label("单位").select_option(label="市城市管理综合执法局")
    filters.get_by_label("颜色").select_option(label="黄牌")
    filters.get_by_role("button", name="筛选").click()
    expect(inspector.get_by_test_id("cards").locator('tr[data-color="yellow"]').first).to_contain_text(
        "市城市管理综合执法局")
    shoot(inspector, "06-yellow-card")
