"""The public portal on the embedded suite: online filing, status, ranking, and no personal data anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from gateway.registry import PARTS
from services.hotline.cli import DEMO_TICKETS
from shared.clock import ManualClock
from shared.privacy import mask_address
from tests.uisuite import DEMO_PASSWORD, MONDAY_9AM, demo_suite, keyed_form

CITIZEN = {"name": "孙悟空", "phone": "13711112222", "address": "东城区花果山路1号"}


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    built = demo_suite(tmp_path_factory.mktemp("portal"), ManualClock(MONDAY_9AM))
    yield built
    built.close()


class Visitor(Client):
    """A browser at one client address (the public limits count per address)."""

    def __init__(self, app: Any, address: str) -> None:
        super().__init__(app)
        self.address = address

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("environ_overrides", {}).setdefault("REMOTE_ADDR", self.address)
        return super().open(*args, **kwargs)


def visitor(suite: Any, address: str = "198.51.100.20") -> Client:
    return Visitor(suite.wsgi, address)


def filing(client: Client, **fields: str) -> dict[str, str]:
    return keyed_form(client, "/file", type="complaint", **fields)


def test_the_public_files_online_and_gets_the_number_and_query_code_only(suite: Any) -> None:
    public = visitor(suite)
    form = filing(public, title="花果山路井盖缺失", content="花果山路口井盖缺失两天，夜间很危险", **CITIZEN)
    response = public.post("/file", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 201
    number = re.search(r'data-testid="number">(\d+)<', page)
    code = re.search(r'data-testid="code">([A-Z0-9]+)<', page)
    assert number and code
    for secret in CITIZEN.values():
        assert secret not in page
    status = public.get("/status", query_string={"number": number.group(1), "code": code.group(1)})
    assert status.status_code == 200 and "已受理" in status.get_data(as_text=True)


def test_the_form_says_what_is_missing_in_place(suite: Any) -> None:
    public = visitor(suite, "198.51.100.21")
    response = public.post("/file", data=filing(public, title="井盖", content="太短了", phone=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="content-error"[^>]*>长度应为 10–5000 个字', page)
    assert re.search(r'id="phone-error"[^>]*>此项必填', page)


def test_a_wrong_query_code_finds_nothing_and_says_so(suite: Any) -> None:
    response = visitor(suite).get("/status", query_string={"number": "20261123000001", "code": "WRONG1"})
    assert response.status_code == 404
    assert "未找到该工单" in response.get_data(as_text=True)


def test_the_ranking_page_lists_departments(suite: Any) -> None:
    page = visitor(suite).get("/ranking").get_data(as_text=True)
    assert 'data-testid="public-ranking"' in page


def _query_codes(suite: Any) -> list[tuple[str, str]]:
    """Every ticket's number and query code, as the hotline office sees them."""
    answer = Client(suite.wsgi).post("/api/auth/v1/token", json={"username": "dispatcher", "password": DEMO_PASSWORD})
    token = answer.get_json()["access_token"]
    items = Client(suite.wsgi).get("/api/hotline/v1/tickets", query_string={"page_size": 100},
                                   headers={"Authorization": f"Bearer {token}"}).get_json()["items"]
    return [(t["number"], t["query_code"]) for t in items]


def test_no_public_page_or_public_api_answer_shows_a_demo_citizens_name_phone_or_address(suite: Any) -> None:
    # Province, city and district are public by design (shared.privacy.mask_address keeps them, as a
    # district says nothing of a person); what identifies someone is the rest: street, building, number.
    secrets = {s for *_, (name, phone), address, _lead, _stage in DEMO_TICKETS
               for s in (name, phone, address, address[len(mask_address(address).rstrip("*")):])
               if s and s != "匿名" and s != mask_address(address).rstrip("*")}
    public = visitor(suite, "198.51.100.30")
    tickets = _query_codes(suite)
    assert len(tickets) >= len(DEMO_TICKETS)
    answers: dict[str, str] = {}
    for path in ("/", "/file", "/status", "/ranking", "/?lang=en", "/ranking?lang=en"):
        answers[path] = public.get(path).get_data(as_text=True)
    for number, code in tickets:
        page = f"/status?number={number}&code={code}"
        answers[page] = public.get(page).get_data(as_text=True)
        api = f"/api/hotline/v1/public/status?number={number}&code={code}"
        answers[api] = visitor(suite, f"198.51.100.{31 + len(answers) % 200}").get(api).get_data(as_text=True)
    for name in PARTS:  # every anonymous GET of every part's public API that needs no parameter
        document = public.get(f"/api/{name}/openapi.json").get_json()
        for path, operations in (document or {}).get("paths", {}).items():
            if "/public/" in path and "{" not in path and "get" in operations:
                answers[path] = public.get(path).get_data(as_text=True)
    assert any("已办结" in text or "closed" in text for text in answers.values())  # the lookups found tickets
    leaks = {(where, secret) for where, text in answers.items() for secret in secrets if secret in text}
    assert not leaks, leaks
