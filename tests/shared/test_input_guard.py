"""Bad input never reaches a view: oversized bodies (413), JSON no client could have meant, control
characters and lone surrogates (422), all as the envelope and with nothing written."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from shared.input_guard import MAX_DEPTH, parse_json
from shared.settings import Settings

URL = "/api/test/v1/things"


def raw_post(client, body: bytes | str, **headers):
    return client.post(URL, data=body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("body", [
    '{"name": "\\ud800"}',                       # a lone surrogate, escaped
    '{"name": "lamp\\udc00x"}',
    '{"\\ud800": 1, "name": "lamp"}',             # in a key
    '{"name": "lamp", "size": ' + "9" * 4400 + "}",  # int() refuses 4,300+ digits
    '{"name": "lamp", "size": 1' + "0" * 400 + ".5}",
    '{"name": "lamp", "size": NaN}',
    "[" * 50_000 + "]" * 50_000,
    '{"name": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}",
    '{"name": "lamp\\u0000"}',                  # NUL: PostgreSQL refuses it in text
    '{"name": "lamp\\u001b[31m"}',              # an escape sequence
    '{"name": "lamp\\u007f"}',
    '{"name": "lamp\\u0085"}',
    b'{"name": "\xff\xfe"}',                     # not UTF-8
])
def test_json_no_client_could_have_meant_is_a_422_envelope_and_writes_nothing(client, db, envelope, count_rows,
                                                                            body):
    envelope(raw_post(client, body), 422)

    assert count_rows(db, "things") == 0 and count_rows(db, "outbox") == 0


def test_a_get_with_a_json_content_type_and_no_body_is_answered(client):
    """Some clients send ``Content-Type: application/json`` on every request: no body is not bad JSON."""
    response = client.get("/api/test/v1/inspections", headers={"Content-Type": "application/json"})

    assert response.status_code == 401, response.get_json()  # past the guard: the view asks for a login


def test_tabs_and_line_breaks_are_text(client):
    response = raw_post(client, '{"name": "lamp\\n\\tbright\\r\\n"}')

    assert response.status_code == 201, response.get_json()


def test_the_error_names_the_field_that_holds_the_control_character(client, envelope):
    error = envelope(raw_post(client, '{"name": "la\\u0000mp"}'), 422)

    assert list(error["errors"]) == ["name"]


@pytest.mark.parametrize("query", ["q=%00", "q=a%01b", "page=1&x%00=1"])
def test_control_characters_in_the_query_string_are_a_422(client, envelope, query):
    envelope(client.get(f"/api/test/v1/inspections?{query}"), 422)


def test_a_nul_in_a_path_id_is_a_422_not_a_database_error(client, envelope):
    envelope(client.get("/api/test/v1/things/ab%00cd"), 422)


def test_a_body_over_the_limit_is_a_413_envelope(db, tokens, envelope, count_rows):
    from shared.web import create_service_app
    from tests.shared.conftest import _things_blueprint

    app, api = create_service_app("test", Settings(max_body_bytes=1000), title="t", tokens=tokens,
                                  context=SimpleNamespace(db=db))
    api.register_blueprint(_things_blueprint())

    response = app.test_client().post(URL, json={"name": "lamp", "pad": "x" * 1000})

    envelope(response, 413)
    assert count_rows(db, "things") == 0


def test_the_default_body_limit_is_one_mebibyte():
    assert Settings().max_body_bytes == 1024 * 1024
    assert Settings.from_env({"DUBAN_MAX_BODY_BYTES": "2048"}).max_body_bytes == 2048


def test_parse_json_accepts_ordinary_json():
    assert parse_json('{"a": [1, 2.5, "x\\ny", true, null], "b": {"c": "中文"}}'.encode()) == {
        "a": [1, 2.5, "x\ny", True, None], "b": {"c": "中文"}}
