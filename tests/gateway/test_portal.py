"""The public portal page: served at /, in Chinese by default and in English on request."""

from __future__ import annotations


def test_the_portal_serves_the_status_lookup_form_in_chinese(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "工单编号" in page and "查询码" in page
    assert "/api/hotline/v1/public/status" in page  # the page reads the public API, nothing private


def test_the_portal_speaks_english_when_asked(client) -> None:
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Ticket number" in page and "工单编号" not in page


def test_the_portal_prefills_and_escapes_what_the_link_carries(client) -> None:
    page = client.get('/?number=20261123000001&code=<script>x</script>').get_data(as_text=True)
    assert 'value="20261123000001"' in page
    assert "<script>x</script>" not in page


def test_the_portal_stylesheet_is_served(client) -> None:
    response = client.get("/static/portal/portal.css")
    try:
        assert response.status_code == 200
        assert "text/css" in response.content_type
    finally:
        response.close()  # a file response holds the file open until closed
