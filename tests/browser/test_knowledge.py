"""The knowledge base in headless Chromium: answers appear while the operator types, a department drafts,
the dispatcher publishes, and the public finds the article in the FAQ on a phone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


def test_intake_answers_drafting_publishing_and_the_public_faq(live: Any, session_for: Any, shoot: Any) -> None:
    url = live.url
    operator = session_for("operator")
    operator.goto(f"{url}/operator/new")
    operator.get_by_label("标题").fill("公积金怎么提取")
    expect(operator.get_by_test_id("knowledge")).to_contain_text("住房公积金提取需要哪些材料？", timeout=10_000)
    expect(operator.get_by_test_id("knowledge")).to_contain_text("市住房和城乡建设局")
    shoot(operator, "01-operator-knowledge-at-intake")

    department = session_for("dept-cgj")
    department.goto(f"{url}/knowledge")
    new = department.get_by_test_id("new-article")
    new.locator("summary").click()
    new.get_by_label("主管单位").select_option(value="cgj")
    new.get_by_label("问题表述").fill("共享单车乱停放向哪里反映？")
    new.get_by_label("答复口径").fill("<p>可拨打 12345 或通过城管 App 上报具体位置，由辖区城管中队处置。</p>")
    new.get_by_label("复审日期").fill("2027-06-30")
    new.get_by_label("公开（在公众常见问题中显示）").check()
    shoot(department, "02-department-drafts")
    new.get_by_role("button", name="保存草稿").click()
    expect(department.locator(".flash.success")).to_contain_text("草稿")
    article = department.url

    dispatcher = session_for("dispatcher")
    dispatcher.goto(article)
    dispatcher.get_by_role("button", name="发布第 1 版").click()
    expect(dispatcher.get_by_test_id("status")).to_contain_text("已发布")
    shoot(dispatcher, "03-dispatcher-published")

    public = session_for(None, viewport=PHONE)
    public.goto(f"{url}/")
    public.get_by_role("link", name="常见问题").click()
    public.get_by_label("您想了解什么？").fill("共享单车")
    public.get_by_role("button", name="查找").click()
    expect(public.get_by_test_id("faq")).to_contain_text("共享单车乱停放向哪里反映？")
    shoot(public, "04-portal-faq")
