"""The public portal on a phone-sized screen, in headless Chromium: file online, then check the status."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


def test_a_citizen_files_online_and_checks_the_status_on_a_phone(live: Any, session_for: Any, shoot: Any) -> None:
    page = session_for(None, viewport=PHONE)
    page.goto(f"{live.url}/")
    page.get_by_role("link", name="我要反映").first.click()
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#phone-error")).to_contain_text("此项必填")
    page.get_by_label("诉求类型").select_option(label="求助")
    page.get_by_label("标题").fill("小区电梯频繁故障")
    page.get_by_label("诉求内容").fill("幸福里3号楼电梯本周已停运三次，老人上下楼困难")
    page.get_by_label("联系电话").fill("13712345678")
    page.get_by_label("姓名（可不填）").fill("周芷若")
    shoot(page, "01-portal-file")
    page.get_by_role("button", name="提交").click()
    number = page.get_by_test_id("number").inner_text()
    code = page.get_by_test_id("code").inner_text()
    assert "周芷若" not in page.content() and "13712345678" not in page.content()
    shoot(page, "02-portal-filed")
    page.get_by_role("link", name="查看办理进度").click()
    expect(page.get_by_test_id("result")).to_contain_text("已受理")
    expect(page.get_by_test_id("result")).to_contain_text(number)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    shoot(page, "03-portal-status")
    assert code

    page.get_by_role("link", name="单位排名").click()
    expect(page.get_by_test_id("public-ranking")).to_be_visible()
    shoot(page, "04-portal-ranking")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Department efficiency ranking")
    page.get_by_role("link", name="Check status").click()  # the session keeps the language
    expect(page.get_by_label("Query code")).to_be_visible()
    shoot(page, "05-portal-english")
