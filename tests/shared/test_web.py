"""The common service app: error envelope, health, request ids, metrics, and token checks."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import flask_smorest
import pytest

from shared.auth import ADMIN, INSPECTOR, OPERATOR, Principal, TokenService
from shared.clock import ManualClock
from shared.db import create_engine
from shared.keys import KeyRing
from shared.logs import correlation_id_var
from shared.settings import Settings
from shared.web import create_service_app
from tests.envelope import assert_envelope

INSPECTIONS = "/api/test/v1/inspections"


# -- error envelope --------------------------------------------------------------------------------

def test_unknown_route_gets_a_404_envelope(client):
    body = assert_envelope(client.get("/api/test/v1/nowhere"), 404)

    assert body["status"] == "Not Found"


def test_wrong_method_gets_a_405_envelope(client):
    assert_envelope(client.delete("/api/test/v1/things"), 405)


def test_domain_error_maps_to_its_status_with_message_and_errors(client):
    body = assert_envelope(client.post("/api/test/v1/conflict"), 409)

    assert body["message"] == "工单已办结 / ticket already closed"  # Chinese stays readable
    assert body["errors"] == {"status": ["closed"]}


def test_invalid_input_gets_422_with_errors_flattened_to_field_names(client, count_rows, db):
    response = client.post("/api/test/v1/things", json={"name": "", "size": "big"})

    body = assert_envelope(response, 422)
    assert set(body["errors"]) == {"name", "size"}
    assert "name" in body["message"] and "size" in body["message"]
    assert count_rows(db, "things") == 0


def test_malformed_json_body_gets_a_4xx_envelope_not_a_500(client):
    response = client.post("/api/test/v1/things", data="{not json",
                           headers={"Content-Type": "application/json"})

    assert_envelope(response, 422)


def test_a_service_cannot_register_a_blueprint_without_the_envelope_parser(db, tokens):
    _, api = create_service_app("test", Settings(), title="Test service", tokens=tokens,
                                context=SimpleNamespace(db=db))

    with pytest.raises(TypeError, match=r"shared\.web\.Blueprint"):
        api.register_blueprint(flask_smorest.Blueprint("plain", __name__, url_prefix="/api/test/v1/plain"))


def test_unhandled_exception_gets_a_json_500_without_internals(client):
    response = client.get("/api/test/v1/boom")

    body = assert_envelope(response, 500)
    assert body["message"] == "内部错误 / internal error"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "postgresql://" not in text and "RuntimeError" not in text


# -- health, request ids, metrics, docs ---------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["", "/api/test"])
def test_healthz_and_readyz_report_ok_when_the_database_answers(client, prefix):
    assert client.get(f"{prefix}/healthz").get_json() == {"status": "ok", "service": "test"}
    assert client.get(f"{prefix}/readyz").get_json() == {"status": "ready", "service": "test"}


def test_readyz_is_a_503_envelope_when_the_database_is_unreachable(client, db, tmp_path):
    db.dispose()
    db.engine = create_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")

    body = assert_envelope(client.get("/readyz"), 503)

    assert list(body["errors"]) == ["Database.ping"]
    assert client.get("/healthz").status_code == 200  # alive, just not ready


def test_request_id_is_echoed_back(client):
    response = client.get("/healthz", headers={"X-Request-Id": "req-123"})

    assert response.headers["X-Request-Id"] == "req-123"


def test_request_id_is_generated_when_the_client_sends_none(client):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert len(first.headers["X-Request-Id"]) == 32
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_error_responses_carry_the_request_id_too(client):
    response = client.get("/api/test/v1/nowhere", headers={"X-Request-Id": "req-404"})

    assert response.headers["X-Request-Id"] == "req-404"


def test_metrics_are_served_with_latency_by_route_template(client):
    client.post("/api/test/v1/things", json={"name": "lamp"})

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    assert 'route="/api/test/v1/things"' in text and 'service="test"' in text


def test_openapi_document_is_served_under_the_service_prefix(client):
    spec = client.get("/api/test/openapi.json").get_json()

    assert spec["info"]["title"] == "Test service"
    assert "/api/test/v1/things" in spec["paths"]


# -- tokens and roles ------------------------------------------------------------------------------

def test_protected_view_without_a_token_is_a_401_envelope(client):
    assert_envelope(client.get(INSPECTIONS), 401)


def test_protected_view_with_the_wrong_role_is_a_403_envelope(client, bearer):
    body = assert_envelope(client.get(INSPECTIONS, headers=bearer("li", OPERATOR)), 403)

    assert body["errors"] == {"required_roles": [INSPECTOR]}


@pytest.mark.parametrize("roles", [(INSPECTOR,), (ADMIN,), (OPERATOR, INSPECTOR)])
def test_holder_of_the_role_or_admin_passes_the_role_check(client, bearer, roles):
    response = client.get(INSPECTIONS, headers=bearer("zhao", *roles))

    assert response.status_code == 200
    assert response.get_json() == {"username": "zhao"}


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a.b.c"])
def test_garbage_or_malformed_authorization_is_a_401_even_on_public_views(client, header):
    assert_envelope(client.get(INSPECTIONS, headers={"Authorization": header}), 401)
    assert_envelope(client.get("/api/test/v1/nowhere", headers={"Authorization": header}), 401)


def test_token_signed_with_another_key_is_a_401(client):
    forger = TokenService(KeyRing.generate())
    token = forger.issue(Principal("mallory", frozenset({ADMIN})), now=datetime.now().astimezone())

    assert_envelope(client.get(INSPECTIONS, headers={"Authorization": f"Bearer {token}"}), 401)


def test_expired_token_is_a_401_that_says_so(client, tokens, clock: ManualClock):
    # The manual clock starts in March 2025, so a token issued then expired long before today.
    token = tokens.issue(Principal("zhao", frozenset({INSPECTOR})), now=clock.now())

    body = assert_envelope(client.get(INSPECTIONS, headers={"Authorization": f"Bearer {token}"}), 401)

    assert "expired" in body["message"]


def test_unknown_roles_in_a_token_are_dropped(tokens):
    token = tokens.issue(Principal("li", frozenset({"superuser", OPERATOR})),
                         now=datetime.now().astimezone())

    assert tokens.verify(token).roles == {OPERATOR}


def test_a_process_holding_only_public_keys_cannot_issue_tokens(tokens):
    verifier = TokenService(tokens.keys.verifier())

    with pytest.raises(RuntimeError, match="signing key"):
        verifier.issue(Principal("mallory", frozenset({ADMIN})), now=datetime.now().astimezone())


def test_a_request_served_inside_another_leaves_no_correlation_id_bound(app, client):
    inner = []

    def outer() -> dict[str, str]:
        inner.append(app.test_client().get("/api/test/healthz", headers={"X-Correlation-Id": "corr-inner"}))
        return {"during": correlation_id_var.get() or ""}

    app.add_url_rule("/api/test/outer", "outer", outer)

    response = client.get("/api/test/outer", headers={"X-Correlation-Id": "corr-outer"})

    assert inner[0].status_code == 200
    assert response.get_json() == {"during": "corr-outer"}
    assert correlation_id_var.get() is None


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy_address() -> None:
    """nginx on loopback names the client; any other peer is the client, whatever header it sends."""
    from flask import Flask, request

    from shared.proxies import TrustedProxyFix, parse_networks

    app = Flask("peer")

    @app.get("/who")
    def who() -> str:
        return request.remote_addr or ""

    app.wsgi_app = TrustedProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, hops=1, networks=parse_networks("127.0.0.0/8,::1/128"))
    client = app.test_client()
    forged = {"X-Forwarded-For": "198.51.100.7"}

    assert client.get("/who", headers=forged, environ_base={"REMOTE_ADDR": "127.0.0.1"}).text == "198.51.100.7"
    assert client.get("/who", headers=forged, environ_base={"REMOTE_ADDR": "203.0.113.5"}).text == "203.0.113.5"
    assert client.get("/who", headers=forged, environ_base={"REMOTE_ADDR": "not-an-ip"}).text == "not-an-ip"
