"""Open311 GeoReport v2 on the hotline, driven over HTTP as a client would: services, definitions,
posting, tokens, reading back in JSON and XML, the ticket's life in the hotline, and what the public
sees (docs/open311.md)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from services.hotline.category_demo import DEMO_CATEGORIES
from services.hotline.category_store import seed_categories
from services.hotline.open311_keys import create_key
from tests.hotline.open311_spec import (
    DISCOVERY,
    ERRORS,
    POSTED,
    REQUESTS,
    SERVICE_DEFINITION,
    SERVICES,
    TOKEN,
    parse_xml,
    valid,
)

BASE = "/open311/v2"
ROOTS = {"services": "services", "definition": "service_definition", "requests": "service_requests",
         "errors": "errors", "discovery": "discovery"}


class Client:
    """A GeoReport v2 client on the embedded suite's WSGI app (the same URLs the edge serves)."""

    def __init__(self, desk, key: str | None) -> None:
        from werkzeug.test import Client as WsgiClient

        self.desk, self.key = desk, key
        self.http = WsgiClient(desk.suite.wsgi)

    def get(self, path: str, fmt: str = "json", **query):
        return self.http.get(f"{BASE}/{path}.{fmt}", query_string=query)

    def post(self, fmt: str = "json", *, key: str | None = "default", **form):
        if key == "default":
            key = self.key
        fields = {**({"api_key": key} if key else {}), **form}
        return self.http.post(f"{BASE}/requests.{fmt}", data=urlencode(fields, doseq=True),
                              content_type="application/x-www-form-urlencoded")

    def read(self, response, schema, fmt: str = "json", root: str = "service_requests", status: int = 200):
        """The answer as data, after checking status, content type and the spec's shape."""
        assert response.status_code == status, response.get_data(as_text=True)
        if fmt == "xml":
            assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
            return parse_xml(response.get_data(), root)
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        return valid(schema, json.loads(response.get_data()))

    def error(self, response, status: int, fmt: str = "json") -> str:
        errors = self.read(response, ERRORS, fmt, "errors", status)
        assert int(errors[0]["code"]) == status
        return str(errors[0]["description"])


@pytest.fixture
def client(desk) -> Client:
    seed_categories(desk.db, DEMO_CATEGORIES, actor="test")
    _, key = create_key(desk.db, name="city-app", actor="test")
    return Client(desk, key)


NOISE = {"service_code": "noise-construction", "lat": "39.913", "long": "116.404",
         "address_string": "东城区和平路12号", "description": "工地每晚十一点后还在打桩，影响休息",
         "attribute[time_of_day]": "night", "first_name": "三", "last_name": "张", "phone": "13912345678",
         "email": "zhang@example.cn", "media_url": "https://img.example.cn/p/1.jpg"}


def post_noise(client: Client, fmt: str = "json", **changes) -> str:
    posted = client.read(client.post(fmt, **{**NOISE, **changes}), POSTED, fmt)
    return str(posted[0]["service_request_id"])


# -- the whole path of a client ---------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_client_lists_services_reads_a_definition_posts_and_follows_the_request_to_closed(client, desk, fmt):
    services = client.read(client.get("services", fmt), SERVICES, fmt, "services")
    noise = next(s for s in services if s["service_code"] == "noise-construction")
    assert (noise["service_name"], noise["group"], str(noise["metadata"]).lower()) == ("建筑施工噪音", "噪音", "true")
    assert len(services) == len(DEMO_CATEGORIES)

    definition = client.read(client.get("services/noise-construction", fmt), SERVICE_DEFINITION, fmt,
                             "service_definition")
    when = definition["attributes"][0]
    assert (when["code"], when["datatype"], str(when["required"]).lower()) == ("time_of_day", "singlevaluelist", "true")
    assert [v["key"] for v in when["values"]] == ["day", "evening", "night"]

    posted = client.read(client.post(fmt, **NOISE), POSTED, fmt)[0]
    number, token = posted["service_request_id"], posted["token"]
    assert "已受理" in posted["service_notice"]

    assert client.read(client.get(f"tokens/{token}", fmt), TOKEN, fmt)[0]["service_request_id"] == number

    request = client.read(client.get(f"requests/{number}", fmt), REQUESTS, fmt)[0]
    assert (request["status"], request["service_code"], request["service_name"]) == ("open", "noise-construction",
                                                                                      "建筑施工噪音")
    assert request["description"] == NOISE["description"]
    assert request["requested_datetime"] == "2026-11-23T09:00:00+08:00"
    assert request["status_notes"] == "已受理，等待派单"

    # The hotline works the ticket as any other: it is in the operator's list, with channel open311.
    listed = desk.get("/api/hotline/v1/tickets", "operator", q=number).get_json()["items"]
    assert [(t["channel"], t["category"], t["utility"]) for t in listed] == [("open311", "noise-construction", False)]
    assert listed[0]["caller"] == {"name": "张三", "phone": "13912345678"}  # for the callback (回访)
    ticket_id = listed[0]["id"]
    desk.do(ticket_id, "dispatch")
    desk.clock.advance(timedelta(hours=1))
    desk.do(ticket_id, "sign")
    opened = client.read(client.get(f"requests/{number}", fmt), REQUESTS, fmt)[0]
    assert opened["agency_responsible"] == "市住房和城乡建设局"
    assert opened["status_notes"] == "市住房和城乡建设局已签收，正在办理"
    assert opened["expected_datetime"] == "2026-12-01T00:00:00+08:00"  # close of the 5th working day after
    assert opened["updated_datetime"] == "2026-11-23T10:00:00+08:00"

    desk.do(ticket_id, "reply")
    desk.do(ticket_id, "callback")
    closed = client.read(client.get(f"requests/{number}", fmt), REQUESTS, fmt)[0]
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "已办结（市住房和城乡建设局）"  # never the reply's text
    assert closed["expected_datetime"] in (None, "")


def test_a_request_filed_through_open311_gets_the_hotlines_clocks(client, desk):
    number = post_noise(client)
    ticket_id = desk.get("/api/hotline/v1/tickets", "operator", q=number).get_json()["items"][0]["id"]

    desk.do(ticket_id, "dispatch")

    keys = desk.outbox_keys()
    assert "hotline.ticket.received" in keys
    assert keys.count("hotline.clock.started") == 2  # the sign-in and handling clocks of the lead department
    received = [r for r in desk.rows("outbox") if r.routing_key == "hotline.ticket.received"][-1]
    assert json.loads(received.body)["data"]["category"] == "noise-construction"
    assert json.loads(received.body)["data"]["channel"] == "open311"
    desk.suite.runtime.run_until_idle()  # the monitoring service learns of them
    clocks = client.http.get("/api/monitoring/v1/clocks", headers=desk.headers("inspector"), query_string={
        "subject_service": "hotline", "subject_id": ticket_id}).get_json()["items"]
    assert sorted((c["kind"], c["department"]) for c in clocks) == [("handle", "zjj"), ("sign", "zjj")]


def test_a_utility_category_gives_the_ticket_the_utility_time_limits(client, desk):
    number = post_noise(client, service_code="water-supply", **{"attribute[water_problem]": ["no_water", "dirty"]},
                        **{"attribute[time_of_day]": ""})
    ticket = desk.get("/api/hotline/v1/tickets", "operator", q=number).get_json()["items"][0]

    assert (ticket["utility"], ticket["type"]) == (True, "help")
    assert "供水问题：停水、水质浑浊或有异味" in ticket["content"]


# -- what the public sees ---------------------------------------------------------------------------
def test_no_personal_data_in_any_get_answer(client, desk):
    number = post_noise(client, description="我的电话13912345678，身份证110101199003071234，请联系我",
                        lat="39.91349", long="116.40418", address_string="东城区和平路12号3单元501室")

    for fmt in ("json", "xml"):
        for path in (f"requests/{number}", "requests"):
            body = client.get(path, fmt).get_data(as_text=True)
            for secret in ("13912345678", "110101199003071234", "张", "zhang@example.cn", "12号", "501",
                           "39.91349", "116.40418"):
                assert secret not in body, (fmt, path, secret)
    request = client.read(client.get(f"requests/{number}"), REQUESTS)[0]
    assert (request["address"], request["lat"], request["long"]) == ("东城区和平路", 39.913, 116.404)
    assert "139****5678" in request["description"]


def test_the_description_is_cut_to_4000_characters_and_longer_ones_are_refused(client):
    number = post_noise(client, description="噪" * 3000, **{"attribute[time_of_day]": "night"})
    request = client.read(client.get(f"requests/{number}"), REQUESTS)[0]
    assert len(request["description"]) <= 4000

    assert "4000" in client.error(client.post(**{**NOISE, "description": "噪" * 4001}), 400)


def test_a_ticket_from_another_channel_is_published_without_its_description(client, desk):
    number = desk.file(category="noise-construction", content="王女士说楼下工地夜里打桩")["number"]

    request = client.read(client.get(f"requests/{number}"), REQUESTS)[0]

    assert (request["service_code"], request["description"], request["address"]) == (
        "noise-construction", None, "东城区和平路")


def test_confidential_and_uncategorised_tickets_are_not_published(client, desk):
    secret = desk.file(confidential=True, category="noise-construction")["number"]
    plain = desk.file()["number"]  # no category: no service to publish it under

    for number in (secret, plain):
        client.error(client.get(f"requests/{number}"), 404)
    listed = {r["service_request_id"] for r in client.read(client.get("requests"), REQUESTS)}
    assert not {secret, plain} & listed


# -- GET requests' filters and defaults ---------------------------------------------------------------
def test_get_requests_filters_by_ids_service_status_and_dates(client, desk):
    first = post_noise(client)
    desk.clock.advance(timedelta(days=1))
    second = post_noise(client, service_code="streetlight", **{"attribute[lamp_state]": "off",
                                                              "attribute[time_of_day]": ""})
    ids = lambda **q: [r["service_request_id"] for r in client.read(client.get("requests", **q), REQUESTS)]  # noqa: E731

    assert ids() == [second, first]  # newest first
    assert ids(service_code="streetlight") == [second]
    assert ids(service_code="streetlight,noise-construction") == [second, first]
    assert ids(status="closed") == []
    assert ids(status="open,closed") == [second, first]
    assert ids(start_date="2026-11-24T00:00:00+08:00", end_date="2026-11-25T00:00:00+08:00") == [second]
    assert ids(service_request_id=f"{first},99999999999999", status="closed") == [first]  # ids override filters


def test_get_requests_defaults_to_the_last_90_days(client, desk):
    old = post_noise(client)
    desk.clock.advance(timedelta(days=91))
    recent = post_noise(client)

    listed = [r["service_request_id"] for r in client.read(client.get("requests"), REQUESTS)]

    assert listed == [recent] and old not in listed
    assert client.read(client.get(f"requests/{old}"), REQUESTS)[0]["service_request_id"] == old


@pytest.mark.parametrize("query, message", [
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
    ({"start_date": "yesterday"}, "start_date"),
    ({"start_date": "2026-01-01T00:00:00"}, "time zone"),
    ({"end_date": "2026-01-01T00:00:00Z", "start_date": "2026-02-01T00:00:00Z"}, "before"),
    ({"status": "pending"}, "status"),
    ({"service_request_id": "abc"}, "service_request_id"),
])
def test_bad_filters_are_the_specs_400(client, query, message):
    for fmt in ("json", "xml"):
        assert message in client.error(client.get("requests", fmt, **query), 400, fmt)


# -- errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("change, status, message", [
    ({"service_code": ""}, 400, "service_code is required"),
    ({"service_code": "no-such-service"}, 400, "no-such-service"),
    ({"lat": "", "long": "", "address_string": ""}, 400, "location"),
    ({"lat": "91"}, 400, "lat"),
    ({"long": "east"}, 400, "long"),
    ({"long": ""}, 400, "lat and long"),
    ({"attribute[time_of_day]": ""}, 400, "attribute[time_of_day] is required"),
    ({"attribute[time_of_day]": "noon"}, 400, "unknown value"),
    ({"attribute[colour]": "red"}, 400, "attribute[colour]"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"email": "not-an-address"}, 400, "email"),
    ({"phone": "call me"}, 400, "phone"),
    ({"description": "bell\x07"}, 400, "control character"),
])
def test_bad_posts_are_refused_with_the_specs_errors_and_write_nothing(client, desk, change, status, message):
    before = desk.count("tickets")
    for fmt in ("json", "xml"):
        assert message in client.error(client.post(fmt, **{**NOISE, **change}), status, fmt)
    assert desk.count("tickets") == before


@pytest.mark.parametrize("key", [None, "", "o311_not-a-key", "not even the prefix"])
def test_a_post_without_a_valid_api_key_is_403(client, desk, key):
    before = desk.count("tickets")
    for fmt in ("json", "xml"):
        assert "api_key" in client.error(client.post(fmt, key=key, **NOISE), 403, fmt)
    assert desk.count("tickets") == before


def test_a_revoked_key_is_refused_and_other_keys_still_work(client, desk):
    other = create_key(desk.db, name="dashboard", actor="test")[1]
    assert client.post(**NOISE).status_code == 200

    response = desk.post("/api/hotline/v1/open311/keys/city-app/revoke", "admin")
    assert response.status_code == 200 and response.get_json()["active"] is False

    client.error(client.post(**NOISE), 403)
    assert client.post(key=other, **NOISE).status_code == 200


@pytest.mark.parametrize("path", ["services/no-such-code", "requests/20991231000001", "tokens/no-such-token",
                                  "nothing-here"])
def test_unknown_things_are_the_specs_404(client, path):
    for fmt in ("json", "xml"):
        client.error(client.get(path, fmt), 404, fmt)


def test_unknown_formats_and_methods_are_spec_errors_not_html_or_envelopes(client):
    assert client.error(client.http.get(f"{BASE}/services.html"), 404)
    assert client.error(client.http.delete(f"{BASE}/services.xml"), 404, "xml")
    assert client.error(client.http.get(f"{BASE}/services.json", query_string={"x": "\x01"}), 400)


def test_posting_is_rate_limited_per_key(make_desk):
    desk = make_desk(open311_rate_limit=2)
    client = Client(desk, None)
    seed_categories(desk.db, DEMO_CATEGORIES, actor="test")
    client.key = create_key(desk.db, name="busy", actor="test")[1]
    assert [client.post(**NOISE).status_code for _ in range(2)] == [200, 200]

    response = client.post(**NOISE)

    assert client.error(response, 429)
    assert int(response.headers["Retry-After"]) >= 1


# -- jurisdiction and discovery ------------------------------------------------------------------------
def test_the_configured_jurisdiction_is_required_and_checked(make_desk):
    desk = make_desk(open311_jurisdiction="dongcheng.example.gov.cn")
    seed_categories(desk.db, DEMO_CATEGORIES, actor="test")
    client = Client(desk, create_key(desk.db, name="city-app", actor="test")[1])

    assert "jurisdiction_id is required" in client.error(client.get("services"), 400)
    assert client.error(client.get("services", jurisdiction_id="elsewhere.gov"), 404)
    assert client.error(client.post(**NOISE, jurisdiction_id="elsewhere.gov"), 404)
    assert client.read(client.get("services", jurisdiction_id="dongcheng.example.gov.cn"), SERVICES, root="services")
    assert client.read(client.post(**NOISE, jurisdiction_id="dongcheng.example.gov.cn"), POSTED)


def test_without_a_configured_jurisdiction_none_is_required(client):
    assert client.read(client.get("services"), SERVICES, root="services")
    assert client.read(client.get("services", jurisdiction_id="any.gov"), SERVICES, root="services")


@pytest.mark.parametrize("path", ["/open311/discovery", "/open311/v2/discovery"])
def test_discovery_names_the_endpoint_and_its_formats(client, path):
    json_doc = valid(DISCOVERY, client.http.get(f"{path}.json").get_json())
    xml_doc = parse_xml(client.http.get(f"{path}.xml").get_data(), "discovery")

    for doc in (json_doc, xml_doc):
        endpoint = doc["endpoints"][0]
        assert endpoint["url"] == "http://localhost/open311/v2"
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert sorted(endpoint["formats"]) == ["application/json", "text/xml"]


def test_an_oversized_body_and_a_crash_are_spec_errors_too(make_desk, monkeypatch):
    desk = make_desk(max_body_bytes=2048)
    seed_categories(desk.db, DEMO_CATEGORIES, actor="test")
    client = Client(desk, create_key(desk.db, name="big", actor="test")[1])

    assert client.error(client.post("xml", **{**NOISE, "description": "噪" * 2000}), 413, "xml")

    from services.hotline import open311

    def broken(_endpoint):
        raise RuntimeError("a bug")

    monkeypatch.setattr(open311, "services", broken)
    assert client.error(client.get("services"), 500) == "internal error"
