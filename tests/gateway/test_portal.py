"""The public portal's front page: served at /, in Chinese by default and in English on request."""

from __future__ import annotations


def test_the_portal_offers_filing_status_and_ranking_in_chinese(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert '<label for="number">工单编号</label>' in page and '<label for="code">查询码</label>' in page
    for path in ('href="/file"', 'href="/status"', 'href="/ranking"', 'href="/login"'):
        assert path in page
    assert 'name="viewport"' in page  # laid out for phones


def test_the_portal_speaks_english_when_asked(client) -> None:
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Ticket number" in page and "工单编号" not in page


def test_the_portal_stylesheet_is_served(client) -> None:
    response = client.get("/static/ui.css")
    try:
        assert response.status_code == 200
        assert "text/css" in response.content_type
    finally:
        response.close()  # a file response holds the file open until closed
