"""`duban local up`: every part as its own gunicorn process with event workers, on real PostgreSQL,
RabbitMQ and Redis, behind nginx; a ticket filed and dispatched through the edge gets its monitoring
clocks quickly, limits hold across workers and edges, and the processes can be restarted and stopped."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import psycopg
import pytest

from gateway.registry import PARTS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DUBAN = [sys.executable, "-m", "gateway.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"content-type": "application/json"} if data is not None else {}  # no body, no body type
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture(scope="module")
def module_vhost() -> Iterator[str]:
    from tests.integration.conftest import _vhost

    with _vhost() as url:
        yield url


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory, pg_server: str, module_vhost: str
             ) -> Iterator[dict[str, Any]]:
    """One topology for this module (it takes half a minute to start); the last test stops it."""
    tmp_path = tmp_path_factory.mktemp("local")
    prefix = f"duban_t{uuid.uuid4().hex[:6]}_"
    env = {**os.environ, "DUBAN_DATA": str(tmp_path), "PORT": str(free_port()),
           "DUBAN_LOCAL_PORT_BASE": str(free_port()), "DUBAN_LOCAL_DB_PREFIX": prefix,
           "AMQP_URL": module_vhost, "POSTGRES_URL": pg_server}
    # the services listen on base+1, base+2…: make sure those are free too
    env["DUBAN_LOCAL_PORT_BASE"] = str(free_port() + 10)
    up = subprocess.run([*DUBAN, "local", "up", "--workers", "2"], env=env, capture_output=True, text=True,
                        timeout=180)
    try:
        assert up.returncode == 0, up.stdout + up.stderr + _logs(tmp_path)
        yield {"env": env, "base": f"http://127.0.0.1:{env['PORT']}", "root": tmp_path / "local",
               "password": (tmp_path / "local" / "demo-password").read_text().strip()}
    finally:
        subprocess.run([*DUBAN, "local", "down"], env=env, capture_output=True, timeout=60)
        with psycopg.connect(pg_server + "postgres", autocommit=True) as conn:
            for part in PARTS:
                conn.execute(f'DROP DATABASE IF EXISTS "{prefix}{part}" WITH (FORCE)')


def log_in(topology: dict[str, Any], username: str) -> str:
    """A demo user's access token, through the edge."""
    status, body = call("POST", f"{topology['base']}/api/auth/v1/token",
                        {"username": username, "password": topology["password"]})
    assert status == 200, body
    return str(body["access_token"])


def _logs(root: Path) -> str:
    logs = root / "local" / "logs"
    if not logs.exists():
        return ""
    return "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(logs.glob("*.log")))


def test_a_ticket_dispatched_through_the_gateway_has_its_monitoring_clocks_within_two_seconds(topology):
    base = topology["base"]

    def login(username: str) -> str:
        return log_in(topology, username)

    operator, dispatcher = login("operator"), login("dispatcher")
    status, ticket = call("POST", f"{base}/api/hotline/v1/tickets", {
        "type": "complaint", "urgency": "general", "title": "夜间施工噪音", "content": "工地夜间施工影响休息",
        "caller": {"name": "张三", "phone": "13812345678"}}, operator)
    assert status == 201, ticket

    # the directory reached the hotline through RabbitMQ: dispatch to a department it learned there
    deadline = time.monotonic() + 20
    while True:
        status, dispatched = call("POST", f"{base}/api/hotline/v1/tickets/{ticket['id']}/dispatch",
                                  {"lead_department": "zjj"}, dispatcher)
        if status != 422 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200, dispatched
    dispatched_at = time.monotonic()
    assert dispatched["sign_due_at"] and dispatched["handle_due_at"]

    if "monitoring" not in PARTS:
        pytest.skip("monitoring is not part of the topology yet")
    inspector = login("inspector")
    url = f"{base}/api/monitoring/v1/clocks?subject_service=hotline&subject_id={ticket['id']}"
    clocks: list[dict[str, Any]] = []
    while time.monotonic() - dispatched_at < 5:
        status, page = call("GET", url, token=inspector)
        clocks = page.get("items", []) if status == 200 else []
        if len(clocks) >= 2:
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - dispatched_at
    print(f"monitoring clocks visible through the gateway {elapsed * 1000:.0f} ms after the dispatch returned")
    assert {c["kind"] for c in clocks} >= {"sign", "handle"}, clocks
    assert elapsed < 2.0, f"clocks appeared after {elapsed:.2f} s"


def test_a_ticket_filed_through_the_edge_is_found_by_the_search_worker_on_the_engine(topology):
    """The search service and its event worker run against the Elasticsearch-API engine ``up`` started."""
    base, password = topology["base"], topology["password"]
    status, body = call("POST", f"{base}/api/auth/v1/token", {"username": "operator", "password": password})
    operator = str(body["access_token"])
    status, ticket = call("POST", f"{base}/api/hotline/v1/tickets", {
        "type": "complaint", "title": "滨江路井盖缺失", "content": "滨江路口窨井盖缺失，夜间非常危险",
        "caller": {"name": "李四", "phone": "13912345678"}}, operator)
    assert status == 201, ticket

    filed_at, found = time.monotonic(), []
    while time.monotonic() - filed_at < 10:
        status, page = call("GET", f"{base}/api/search/v1/cases?q=%E7%AA%A8%E4%BA%95%E7%9B%96", token=operator)
        found = page.get("items", []) if status == 200 else []
        if found:
            break
        time.sleep(0.1)
    print(f"found through the search API {(time.monotonic() - filed_at) * 1000:.0f} ms after filing")
    assert [i["id"] for i in found] == [ticket["id"]]
    status, similar = call("POST", f"{base}/api/search/v1/similar",
                           {"text": "井盖", "phone": "139 1234 5678"}, operator)
    assert status == 200 and [i["same_caller"] for i in similar["items"]] == [True]


def status_code(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)
    except urllib.error.URLError:
        return 0  # not listening (yet)


@pytest.fixture
def second_edge(topology: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """Another nginx in front of the same services, as a second machine's edge would be."""
    from gateway.edge import LOCAL_SOURCE, EdgeConfig, argv, write_local

    root, port = topology["root"], free_port()
    upstreams = {part: f"127.0.0.1:{int(topology['env']['DUBAN_LOCAL_PORT_BASE']) + 1 + i}"
                 for i, part in enumerate(PARTS)}
    conf = write_local(EdgeConfig(listen=f"127.0.0.1:{port}", upstreams=upstreams, prefix=tmp_path / "edge2",
                                  workers="1", source=LOCAL_SOURCE))
    assert root.exists()
    process = subprocess.Popen(argv(conf), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while status_code(f"http://127.0.0.1:{port}/healthz") != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def test_the_public_status_limit_holds_across_workers_and_edges_whatever_x_forwarded_for_says(
        topology, second_edge):
    edges = [topology["base"], second_edge]
    answered = []
    for n in range(30):  # a new connection each time: spread over both edges and both gunicorn workers
        url = f"{edges[n % 2]}/api/hotline/v1/public/status?number=NOSUCH{n:04d}&code=abcd"
        answered.append(status_code(url, {"X-Forwarded-For": f"198.51.100.{n}"}))

    assert answered[:20] == [404] * 20, answered  # the limit is 20 per client per minute (Redis)
    assert answered[20:] == [429] * 10, answered
    # a direct request without any forged header is refused as well: it is the same client
    assert status_code(f"{second_edge}/api/hotline/v1/public/status?number=NOSUCH0000&code=abcd") == 429
    # so is one sent straight to a service's port (loopback) with a header of its own: only the
    # edge's address is believed
    hotline = int(topology["env"]["DUBAN_LOCAL_PORT_BASE"]) + 1 + list(PARTS).index("hotline")
    direct = f"http://127.0.0.1:{hotline}/api/hotline/v1/public/status?number=NOSUCH0000&code=abcd"
    assert [status_code(direct, {"X-Forwarded-For": f"192.0.2.{n}"}) for n in range(3)] == [429] * 3


def test_an_open311_client_files_and_reads_a_request_through_the_edge(topology):
    """/open311/ is routed to the hotline; the admin's category and key, then a client's POST and GETs."""
    base = topology["base"]

    def login(username: str) -> str:
        return log_in(topology, username)

    admin, operator = login("admin"), login("operator")
    lamp = {"name": "路灯故障", "group": "市政设施", "keywords": ["路灯"], "ticket_type": "help"}
    status, category = call("PUT", f"{base}/api/hotline/v1/categories/streetlight", lamp, admin)
    assert status == 200, category
    status, issued = call("POST", f"{base}/api/hotline/v1/open311/keys", {"name": f"edge-{uuid.uuid4().hex[:6]}"},
                          admin)
    assert status == 201, issued

    form = urllib.parse.urlencode({"api_key": issued["key"], "service_code": "streetlight",
                                   "address_string": "东城区和平路", "description": "路灯不亮"}).encode()
    with urllib.request.urlopen(f"{base}/open311/v2/requests.json", data=form, timeout=10) as response:
        number = json.loads(response.read())[0]["service_request_id"]
    with urllib.request.urlopen(f"{base}/open311/v2/requests/{number}.xml", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/xml")
        request = ET.fromstring(response.read()).find("request")
    assert request is not None and request.findtext("status") == "open"
    assert request.findtext("service_code") == "streetlight"

    status, page = call("GET", f"{base}/api/hotline/v1/tickets?q={number}", token=operator)
    assert status == 200 and [t["channel"] for t in page["items"]] == ["open311"]
    refused = urllib.request.Request(f"{base}/open311/v2/requests.json", data=form.replace(b"o311_", b"o312_"))
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(refused, timeout=10)
    assert error.value.code == 403
    assert json.loads(error.value.read())[0]["code"] == 403


def test_the_edge_caps_request_bodies_and_hides_metrics(topology):
    base = topology["base"]

    assert status_code(f"{base}/api/hotline/v1/tickets", {"content-type": "application/json"},
                       b"x" * (2 * 1024 * 1024)) == 413
    assert status_code(f"{base}/metrics") == 404
    assert status_code(f"{base}/api/hotline/openapi.json") == 200


def test_the_pages_work_through_the_edge_and_reach_the_services_over_http(topology):
    """A staff page and the portal, served by the gateway-web process, which calls the services through
    the edge's internal listener (DUBAN_SERVICES_URL)."""
    import http.cookiejar
    import re
    from urllib.parse import urlencode

    base, password = topology["base"], topology["password"]
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def page(path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urlencode(form).encode() if form is not None else None
        try:
            with browser.open(f"{base}{path}", data=data, timeout=15) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token_of(html: str, name: str = "csrf_token") -> str:
        found = re.search(rf'name="{name}"[^>]*value="([^"]+)"', html) or re.search(
            rf'value="([^"]+)"[^>]*name="{name}"', html)
        assert found, html[:500]
        return found.group(1)

    _status, login = page("/login")
    status, board = page("/login", {"csrf_token": token_of(login), "username": "inspector", "password": password})
    assert status == 200 and 'id="board-data"' in board, board[:500]  # followed the redirect to /board

    _status, form = page("/file")
    status, filed = page("/file", {"csrf_token": token_of(form), "idempotency_key": token_of(form, "idempotency_key"),
                                   "type": "help", "title": "路灯不亮", "content": "滨江路路灯连续三晚不亮，请维修",
                                   "phone": "13900002222"})
    assert status == 201, filed[:500]
    number = re.search(r'data-testid="number">(\d+)<', filed)
    assert number and "13900002222" not in filed


def test_a_spot_check_drawn_through_the_edge_replays_and_its_finding_becomes_a_notice(topology):
    """双随机 over the distributed topology: directories and a plan through nginx, the public record replays
    with the stand-alone verifier, and a finding reaches rectification through RabbitMQ."""
    import hashlib

    from services.spotcheck import verify_draw
    from tests.spotcheck.codes import uscc

    base, password = topology["base"], topology["password"]
    status, body = call("POST", f"{base}/api/auth/v1/token", {"username": "inspector", "password": password})
    inspector = str(body["access_token"])
    api = f"{base}/api/spotcheck/v1"
    for n in range(12):
        status, target = call("POST", f"{api}/targets", {"uscc": uscc(n), "name": f"分布式企业{n}", "region": "110101",
                                                         "industry": "餐饮", "risk_class": "D"}, inspector)
        assert status == 200, target
    deadline = time.monotonic() + 20  # the directory reaches spotcheck's replica through RabbitMQ
    for n, department in enumerate(["scjg", "scjg", "sthj", "sthj"]):
        while True:
            status, added = call("POST", f"{api}/inspectors", {"name": f"检查员{n}", "department": department,
                                                               "certificate_no": f"ZF-D{n:03d}", "region": "110102"},
                                 inspector)
            if status != 422 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert status == 201, added
    seed = "distributed-seed"
    status, plan = call("POST", f"{api}/plans", {"name": "分布式联合抽查", "departments": ["scjg", "sthj"],
                                                 "commitment": {"kind": "sha256",
                                                                "value": hashlib.sha256(seed.encode()).hexdigest()}},
                        inspector)
    assert status == 201, plan
    assert call("POST", f"{api}/plans/{plan['id']}/publish", None, inspector)[0] == 200
    status, record = call("POST", f"{api}/plans/{plan['id']}/draw", {"seed": seed}, inspector)
    assert status == 200 and record["selections"], record

    _, public = call("GET", f"{api}/public/draws/{record['id']}")
    _, population = call("GET", f"{api}/public/draws/{record['id']}/population")
    assert verify_draw.verify(public, population) is None
    target = record["selections"][0]["target"]["uscc"]
    status, result = call("POST", f"{api}/plans/{plan['id']}/results", {
        "uscc": target, "category": "ordered_to_correct", "summary": "现场发现问题，已责令改正"}, inspector)
    assert status == 201, result
    deadline, found = time.monotonic() + 20, []
    while not found and time.monotonic() < deadline:
        _, page = call("GET", f"{base}/api/rectification/v1/notices?source=spot_check", token=inspector)
        found = page.get("items", [])
        time.sleep(0.1)
    assert found and found[0]["source"]["ref"]["number"] == target


def until(probe: Any, seconds: float = 20) -> Any:
    """Poll ``probe`` until it answers something truthy (events cross RabbitMQ meanwhile)."""
    deadline = time.monotonic() + seconds
    while not (answer := probe()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return answer


def test_a_closed_ticket_is_rated_by_the_public_and_its_bad_review_is_clocked_through_rabbitmq(topology):
    """好差评 over the distributed topology: the close reaches rectification, the public rates through the edge,
    the callback's clock reaches monitoring, and the rated department answers."""
    base, password = topology["base"], topology["password"]

    def login(username: str) -> str:
        return str(call("POST", f"{base}/api/auth/v1/token", {"username": username, "password": password})[1]
                   ["access_token"])

    operator, dispatcher, zjj, inspector = (login(u) for u in ("operator", "dispatcher", "dept-zjj", "inspector"))
    _, ticket = call("POST", f"{base}/api/hotline/v1/tickets", {
        "type": "complaint", "urgency": "general", "title": "小区路灯不亮", "content": "小区门口路灯坏了一个月",
        "caller": {"name": "王五", "phone": "13812340000"}}, operator)
    path = f"{base}/api/hotline/v1/tickets/{ticket['id']}"
    assert until(lambda: call("POST", path + "/dispatch", {"lead_department": "zjj"}, dispatcher)[0] == 200)
    assert call("POST", path + "/sign", {}, zjj)[0] == 200
    assert call("POST", path + "/reply", {"content": "已安排维修并复查"}, zjj)[0] == 200
    assert call("POST", path + "/callback", {"satisfaction": "satisfied"}, dispatcher)[0] == 200

    review = {"number": ticket["number"], "code": ticket["query_code"], "level": 1, "comment": "修好两天又坏了"}
    posted = until(lambda: (lambda r: r if r[0] != 404 else None)(
        call("POST", f"{base}/api/rectification/v1/reviews", review)))
    assert posted and posted[0] == 201, posted
    review_id = posted[1]["id"]
    status, confirmed = call("POST", f"{base}/api/rectification/v1/reviews/{review_id}/callback",
                             {"confirmed": True, "note": "属实"}, dispatcher)
    assert status == 200 and confirmed["status"] == "confirmed", confirmed
    clocks = until(lambda: call("GET", f"{base}/api/monitoring/v1/clocks?subject_service=rectification"
                                       f"&subject_id={review_id}", token=inspector)[1].get("items"))
    assert {c["kind"] for c in clocks} >= {"review_callback"}, clocks
    status, answered = call("POST", f"{base}/api/rectification/v1/reviews/{review_id}/rectify",
                            {"text": "更换整组灯具并加装巡检"}, zjj)
    assert status == 200 and answered["status"] == "rectified", answered


def test_a_restarted_process_is_replaced_and_down_stops_it_with_everything_else(topology):
    env, root = topology["env"], topology["root"]
    before = json.loads((root / "pids.json").read_text())

    restarted = subprocess.run([*DUBAN, "local", "restart", "hotline-web"], env=env, capture_output=True,
                               text=True, timeout=60)
    unknown = subprocess.run([*DUBAN, "local", "restart", "nosuch"], env=env, capture_output=True, text=True,
                             timeout=60)

    assert restarted.returncode == 0, restarted.stderr
    after = json.loads((root / "pids.json").read_text())
    assert after["hotline-web"] != before["hotline-web"]
    assert unknown.returncode == 2 and "not a process of this topology" in unknown.stderr
    port = int(env["DUBAN_LOCAL_PORT_BASE"]) + 1 + list(PARTS).index("hotline")
    deadline = time.monotonic() + 30
    while status_code(f"http://127.0.0.1:{port}/readyz") != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status_code(f"{topology['base']}/api/hotline/openapi.json") == 200
    # every gunicorn has a control socket of its own
    assert sorted(p.name for p in (root / "run").glob("*.ctl")) == sorted(f"{part}-web.ctl" for part in PARTS)

    down = subprocess.run([*DUBAN, "local", "down"], env=env, capture_output=True, text=True, timeout=60)
    assert down.returncode == 0 and f"stopped {len(after)} processes" in down.stdout
    for name, pid in after.items():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"{name} (pid {pid}) still runs after `duban local down`")
