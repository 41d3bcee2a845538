"""A GeoReport v2 client library from PyPI (``georeport``, installed apart from the project by
``make open311-clients``) lists the services, reads a definition and reads a posted request back
unchanged, in JSON and in XML, from the hotline served over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from services.hotline.category_demo import DEMO_CATEGORIES
from services.hotline.category_store import seed_categories
from services.hotline.open311_keys import create_key
from tests.backing import IN_CI

ROOT = Path(__file__).resolve().parents[2]
CLIENT_PYTHON = ROOT / ".venv-open311-clients" / "bin" / "python"
RUNNER = Path(__file__).with_name("open311_client_run.py")


@pytest.fixture
def served(desk) -> Iterator[str]:
    """The embedded suite on a real port: the base URL."""
    seed_categories(desk.db, DEMO_CATEGORIES, actor="test")
    server = make_server("127.0.0.1", 0, desk.suite.wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_the_georeport_client_reads_services_a_definition_and_a_posted_request_unchanged(served, desk):
    if not CLIENT_PYTHON.exists():
        message = f"{CLIENT_PYTHON} is missing: `make open311-clients` installs the PyPI clients"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        sys.stderr.write(f"\n*** SKIPPING: {message} ***\n")
        pytest.skip(message)
    _, key = create_key(desk.db, name="georeport", actor="test")
    sent = {"service_code": "streetlight", "lat": "39.913", "long": "116.404", "address_string": "东城区和平路",
            "description": "和平路口的路灯连续三晚不亮", "media_url": "https://img.example.cn/lamp.jpg",
            "attribute[lamp_state]": "off", "api_key": key}
    with urllib.request.urlopen(f"{served}/open311/v2/requests.json",
                                data=urllib.parse.urlencode(sent).encode(), timeout=10) as response:
        number = json.loads(response.read())[0]["service_request_id"]

    result = subprocess.run([str(CLIENT_PYTHON), str(RUNNER), f"{served}/open311/v2", number, "streetlight"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)

    for fmt in ("json", "xml"):
        got = found[fmt]
        assert got["service_codes"] == sorted((c.code for c in DEMO_CATEGORIES),
                                              key=lambda c: (next(d.group for d in DEMO_CATEGORIES if d.code == c), c))
        assert (got["definition_code"], got["attribute_codes"]) == ("streetlight", ["pole_number", "lamp_state"])
        for request in (got["request"], got["listed"][0]):
            assert request["service_request_id"] == number
            assert request["service_code"] == "streetlight"
            assert request["status"] == "open"
            assert request["address"] == sent["address_string"]
            assert request["media_url"] == sent["media_url"]
            assert (str(request["lat"]), str(request["long"])) == (sent["lat"], sent["long"])
            assert request["description"] == sent["description"]
