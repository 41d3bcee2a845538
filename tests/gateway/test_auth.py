"""Login and tokens: ``/api/auth/v1``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher

from gateway import create_app, handlers, store
from gateway.passwords import Passwords
from shared.appcontext import service_context, service_db
from shared.auth import ADMIN, DEPARTMENT, INSPECTOR, OPERATOR, Principal, TokenService
from shared.bootstrap import Environment
from shared.keys import KeyRing

PASSWORD = "correct horse battery"
LOGIN = "/api/auth/v1/token"


class CountingPasswords(Passwords):
    """A real hasher that also records which checks a login ran."""

    def __init__(self) -> None:
        super().__init__(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        self.calls: list[str] = []

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls.append("verify")
        return super().verify(password_hash, password)


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    return client.post(LOGIN, json={"username": username, "password": password})


def test_login_returns_a_token_that_services_accept_with_the_users_roles_and_departments(
        client, tokens, make_user, make_department):
    code = make_department()
    user = make_user(roles=(DEPARTMENT,), departments=(code,), password=PASSWORD)

    response = login(client, user.username)

    assert response.status_code == 200
    principal = tokens.verify(response.json["access_token"])
    assert principal.username == user.username
    assert principal.roles == {DEPARTMENT}
    assert principal.departments == {code}


def test_login_response_describes_the_token_and_the_user(client, make_user):
    user = make_user(roles=(OPERATOR, INSPECTOR), password=PASSWORD)

    body = login(client, user.username).json

    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 480 * 60
    assert body["user"] == {"username": user.username, "display_name": "测试用户",
                            "roles": [INSPECTOR, OPERATOR], "departments": []}


def test_token_lifetime_comes_from_the_settings(settings, clock, passwords):
    app = create_app(Environment(replace(settings, token_ttl_minutes=30), clock), passwords=passwords)
    handlers.create_user(service_context(app), actor="test", username="shift",
                         display_name="夜班", password=PASSWORD, roles=(OPERATOR,))
    body = login(app.test_client(), "shift").json
    service_db(app).dispose()

    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert body["expires_in"] == 1800
    assert claims["exp"] - claims["iat"] == 1800


def test_usernames_are_matched_case_insensitively_at_login(client, make_user):
    make_user(username="wangfang", roles=(OPERATOR,), password=PASSWORD)

    assert login(client, "  WangFang ").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401_envelope(client, make_user):
    user = make_user(roles=(OPERATOR,), password=PASSWORD)

    wrong_password = login(client, user.username, "not the password")
    unknown_user = login(client, "nobody-here", PASSWORD)

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json == unknown_user.json
    assert set(wrong_password.json) == {"code", "status", "message", "errors"}


def test_an_unknown_username_still_costs_one_password_verification(settings, clock, make_user):
    counting = CountingPasswords()
    app = create_app(Environment(settings, clock), passwords=counting)
    client = app.test_client()
    user = make_user(roles=(OPERATOR,), password=PASSWORD)

    login(client, user.username, "not the password")
    login(client, "nobody-here", "not the password")
    service_db(app).dispose()

    assert counting.calls == ["verify", "verify"]


def test_an_inactive_user_cannot_log_in_even_with_the_right_password(client, make_user):
    user = make_user(roles=(OPERATOR,), active=False, password=PASSWORD)

    response = login(client, user.username)

    assert response.status_code == 401
    assert response.json == login(client, "nobody-here").json


@pytest.mark.parametrize("body", [{}, {"username": "operator"}, {"password": PASSWORD}])
def test_missing_login_fields_give_a_422_envelope_naming_them(client, body):
    response = client.post(LOGIN, json=body)

    assert response.status_code == 422
    assert response.json["code"] == 422
    assert set(response.json["errors"]) == {"username", "password"} - set(body)


@pytest.mark.parametrize("data", ["{not json", "[]", '"operator"', '{"username": 5, "password": []}'])
def test_malformed_or_mistyped_json_gives_a_422_envelope(client, data):
    response = client.post(LOGIN, data=data, content_type="application/json")

    assert response.status_code == 422
    assert set(response.json) == {"code", "status", "message", "errors"}
    assert response.json["errors"]


def test_an_overlong_password_is_refused_without_hashing_it(client, make_user):
    user = make_user(roles=(OPERATOR,), password=PASSWORD)

    assert login(client, user.username, "x" * 100_000).status_code == 401


def test_login_upgrades_the_hash_when_argon2_parameters_changed(settings, clock, make_user, db):
    user = make_user(roles=(OPERATOR,), password=PASSWORD)
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    app = create_app(Environment(settings, clock), passwords=stronger)

    first = login(app.test_client(), user.username)
    with db.read() as conn:
        rehashed = store.get_user(conn, user.username)
    second = login(app.test_client(), user.username)
    service_db(app).dispose()

    assert first.status_code == second.status_code == 200
    assert rehashed is not None and rehashed.password_hash != user.password_hash
    assert "m=2048,t=2" in rehashed.password_hash
    assert not stronger.needs_rehash(rehashed.password_hash)


def test_password_hashes_are_argon2id_and_never_leave_the_service(client, admin, table_rows):
    response = client.post("/api/directory/v1/users", headers=admin, json={
        "username": "liming", "display_name": "李明", "password": PASSWORD, "roles": [OPERATOR]})
    token_body = login(client, "liming").json

    stored = {row.username: row.password_hash for row in table_rows("users")}
    assert stored["liming"].startswith("$argon2id$")
    for text in (response.get_data(as_text=True), str(token_body),
                 *(str(row.after) for row in table_rows("audit_log"))):
        assert "argon2" not in text
        assert PASSWORD not in text
        assert "password" not in text


def test_me_returns_the_user_the_token_speaks_for(client, make_user, make_department):
    code = make_department()
    user = make_user(roles=(DEPARTMENT,), departments=(code,), password=PASSWORD)
    token = login(client, user.username).json["access_token"]

    response = client.get("/api/auth/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json == {"username": user.username, "display_name": "测试用户",
                             "roles": [DEPARTMENT], "departments": [code]}


def test_me_without_a_token_is_a_401_envelope(client):
    response = client.get("/api/auth/v1/me")

    assert response.status_code == 401
    assert response.json["code"] == 401


def test_a_token_signed_with_another_key_is_rejected(client, clock):
    forged = TokenService(KeyRing.generate()).issue(Principal("mallory", frozenset({ADMIN})), now=clock.now())

    response = client.get("/api/auth/v1/me", headers={"Authorization": f"Bearer {forged}"})

    assert response.status_code == 401


def test_login_attempts_are_rate_limited_per_client_and_username(client) -> None:
    """Password guessing is bounded: the 11th attempt in a minute gets 429 with Retry-After."""
    for _ in range(10):
        assert client.post("/api/auth/v1/token", json={"username": "guess", "password": "wrong-wrong"}
                           ).status_code == 401
    response = client.post("/api/auth/v1/token", json={"username": "guess", "password": "wrong-wrong"})
    assert response.status_code == 429
    assert response.json["code"] == 429 and int(response.headers["Retry-After"]) >= 1
    # another username from the same address is not locked out by the first one's failures
    assert client.post("/api/auth/v1/token", json={"username": "other", "password": "wrong-wrong"}
                       ).status_code == 401


@pytest.mark.parametrize("body", [
    '{"username": "\\ud800", "password": "x"}',
    '{"username": "li", "password": "\\udfff"}',
    '{"username": "li\\u0000", "password": "x"}',
    '{"username": "li", "password": ' + "[" * 50_000 + "]" * 50_000 + "}",
])
def test_the_anonymous_login_answers_unusable_json_with_a_422_envelope(client, envelope, body):
    response = client.post(LOGIN, data=body, content_type="application/json")

    envelope(response, 422)
