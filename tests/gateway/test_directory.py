"""The directory: departments and users (``/api/directory/v1``), the demo seed and the CLI."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

from gateway import demo, handlers, model
from gateway.cli_directory import directory
from gateway.store import metadata
from shared.auth import ADMIN, DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR
from shared.errors import InvalidInput
from shared.settings import DISTRIBUTED

DEPARTMENTS = "/api/directory/v1/departments"
USERS = "/api/directory/v1/users"
NEW_DEPARTMENT = {"code": "fgw", "name": "市发展和改革委员会", "kind": "bureau"}


@pytest.fixture
def seeded(directory):
    return handlers.seed_demo(directory)


# -- model ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["ZJJ", "z", "1abc", "zj j", "zjj-", "住建局", "a" * 33])
def test_department_codes_must_be_lowercase_ascii_slugs(code):
    with pytest.raises(InvalidInput) as raised:
        model.new_department(code=code, name="市住房和城乡建设局", kind="bureau")
    assert set(raised.value.errors) == {"code"}


def test_a_department_with_several_problems_reports_all_of_them():
    with pytest.raises(InvalidInput) as raised:
        model.new_department(code="", name="", kind="ministry")
    assert set(raised.value.errors) == {"code", "name", "kind"}


# -- reading ------------------------------------------------------------------------------------
def test_anyone_can_list_departments_one_page_at_a_time(client, seeded):
    codes = sorted(d.code for d in demo.DEPARTMENTS)

    response = client.get(DEPARTMENTS, query_string={"page": 2, "page_size": 4})

    assert response.status_code == 200
    assert response.json["page"] == 2
    assert response.json["page_size"] == 4
    assert response.json["total"] == len(codes)
    assert [d["code"] for d in response.json["items"]] == codes[4:8]
    assert set(response.json["items"][0]) == {"code", "name", "kind", "utility", "active"}


def test_a_page_past_the_end_is_empty_but_keeps_the_total(client, seeded):
    response = client.get(DEPARTMENTS, query_string={"page": 99})

    assert response.json["items"] == []
    assert response.json["total"] == len(demo.DEPARTMENTS)


@pytest.mark.parametrize("query", [{"page_size": 201}, {"page_size": 0}, {"page": 0}, {"active": "maybe"},
                                   {"page": 9223372036854775807}, {"page": 100_001}])
def test_bad_paging_or_filter_gives_a_422_envelope(client, query):
    response = client.get(DEPARTMENTS, query_string=query)

    assert response.status_code == 422
    assert set(response.json["errors"]) == set(query)


def test_departments_can_be_filtered_by_active(client, admin, seeded):
    client.patch(f"{DEPARTMENTS}/xcq", headers=admin, json={"active": False})

    inactive = client.get(DEPARTMENTS, query_string={"active": "false"}).json
    active = client.get(DEPARTMENTS, query_string={"active": "true", "page_size": 200}).json

    assert [d["code"] for d in inactive["items"]] == ["xcq"]
    assert "xcq" not in [d["code"] for d in active["items"]]
    assert active["total"] == len(demo.DEPARTMENTS) - 1


def test_one_department_is_readable_by_anyone(client, seeded):
    response = client.get(f"{DEPARTMENTS}/swjt")

    assert response.status_code == 200
    assert response.json == {"code": "swjt", "name": "市水务集团", "kind": "utility", "utility": True,
                              "active": True}


def test_an_unknown_department_is_a_404_envelope(client):
    response = client.get(f"{DEPARTMENTS}/nope")

    assert response.status_code == 404
    assert set(response.json) == {"code", "status", "message", "errors"}


# -- writing ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", DEPARTMENTS, NEW_DEPARTMENT),
    ("patch", f"{DEPARTMENTS}/zjj", {"active": False}),
    ("post", USERS, {"username": "x1", "display_name": "x", "password": "0123456789", "roles": ["admin"]}),
])
def test_directory_writes_need_an_admin(client, bearer, seeded, method, path, body):
    anonymous = getattr(client, method)(path, json=body)
    operator = getattr(client, method)(path, json=body, headers=bearer(OPERATOR, DISPATCHER, INSPECTOR))

    assert anonymous.status_code == 401
    assert operator.status_code == 403
    assert operator.json["code"] == 403


def test_creating_a_department_writes_one_event_and_one_audit_record_together(client, admin, table_rows):
    response = client.post(DEPARTMENTS, headers={**admin, "X-Correlation-Id": "corr-1"}, json=NEW_DEPARTMENT)

    assert response.status_code == 201
    assert response.json == {**NEW_DEPARTMENT, "utility": False, "active": True}
    [event] = table_rows("outbox")
    [audit] = table_rows("audit_log")
    body = json.loads(event.body)
    assert event.routing_key == "gateway.department.upserted"
    assert body["data"] == response.json
    assert body["correlation_id"] == audit.correlation_id == "corr-1"
    assert (audit.action, audit.entity_id, audit.before) == ("department.created", "fgw", None)
    assert json.loads(audit.after) == response.json
    assert audit.actor.startswith("user:")
    assert event.created_at == audit.at


@pytest.mark.parametrize("body", [
    {**NEW_DEPARTMENT, "code": "Bad Code"},
    {**NEW_DEPARTMENT, "kind": "ministry"},
    {**NEW_DEPARTMENT, "name": " "},
    {"code": "fgw"},
])
def test_an_invalid_department_is_a_422_and_writes_nothing(client, admin, table_rows, body):
    response = client.post(DEPARTMENTS, headers=admin, json=body)

    assert response.status_code == 422
    assert table_rows("departments") == table_rows("outbox") == table_rows("audit_log") == []


def test_a_duplicate_department_code_or_name_is_a_409_and_writes_nothing_new(client, admin, table_rows):
    client.post(DEPARTMENTS, headers=admin, json=NEW_DEPARTMENT)

    same_code = client.post(DEPARTMENTS, headers=admin, json={**NEW_DEPARTMENT, "name": "别的名称"})
    same_name = client.post(DEPARTMENTS, headers=admin, json={**NEW_DEPARTMENT, "code": "fgw2"})

    assert same_code.status_code == same_name.status_code == 409
    assert len(table_rows("outbox")) == len(table_rows("audit_log")) == 1


def test_a_retried_create_with_the_same_idempotency_key_replays_the_first_response(client, admin, table_rows):
    headers = {**admin, "Idempotency-Key": "create-fgw"}

    first = client.post(DEPARTMENTS, headers=headers, json=NEW_DEPARTMENT)
    retry = client.post(DEPARTMENTS, headers=headers, json=NEW_DEPARTMENT)

    assert first.status_code == retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert len(table_rows("outbox")) == 1


def test_changing_a_department_announces_its_new_state(client, admin, make_department, table_rows):
    code = make_department(name="市城管局")

    response = client.patch(f"{DEPARTMENTS}/{code}", headers=admin,
                            json={"name": "市城市管理综合执法局", "utility": True})

    assert response.status_code == 200
    last_event = json.loads(table_rows("outbox")[-1].body)
    last_audit = table_rows("audit_log")[-1]
    assert last_event["type"] == "gateway.department.upserted"
    assert last_event["data"] == {"code": code, "name": "市城市管理综合执法局", "kind": "bureau",
                                  "utility": True, "active": True}
    assert last_audit.action == "department.updated"
    assert json.loads(last_audit.before)["name"] == "市城管局"


def test_a_change_that_changes_nothing_writes_nothing(client, admin, make_department, table_rows):
    code = make_department()
    before = len(table_rows("outbox")), len(table_rows("audit_log"))

    response = client.patch(f"{DEPARTMENTS}/{code}", headers=admin, json={"active": True})

    assert response.status_code == 200
    assert (len(table_rows("outbox")), len(table_rows("audit_log"))) == before


def test_an_empty_change_is_a_422_and_an_unknown_department_a_404(client, admin, make_department):
    code = make_department()

    assert client.patch(f"{DEPARTMENTS}/{code}", headers=admin, json={}).status_code == 422
    assert client.patch(f"{DEPARTMENTS}/nope", headers=admin, json={"active": False}).status_code == 404


def test_an_admin_creates_a_department_user_who_can_log_in(client, admin, make_department):
    code = make_department()

    created = client.post(USERS, headers=admin, json={
        "username": "zhangwei", "display_name": "张伟", "password": "0123456789",
        "roles": [DEPARTMENT], "departments": [code]})
    login = client.post("/api/auth/v1/token", json={"username": "zhangwei", "password": "0123456789"})

    assert created.status_code == 201
    assert created.json["departments"] == [code]
    assert "password" not in created.json
    assert login.json["user"]["departments"] == [code]


@pytest.mark.parametrize(("change", "field"), [
    ({"password": "short"}, "password"),
    ({"roles": ["mayor"]}, "roles"),
    ({"roles": [DEPARTMENT], "departments": []}, "departments"),
    ({"roles": [DEPARTMENT], "departments": ["nope"]}, "departments"),
    ({"departments": ["zjj"]}, "departments"),
    ({"username": "有空格 的名字"}, "username"),
])
def test_an_invalid_user_is_a_422_naming_the_field(client, admin, seeded, table_rows, change, field):
    users_before = len(table_rows("users"))
    body = {"username": "newuser", "display_name": "新用户", "password": "0123456789", "roles": [OPERATOR],
            **change}

    response = client.post(USERS, headers=admin, json=body)

    assert response.status_code == 422
    assert field in response.json["errors"]
    assert len(table_rows("users")) == users_before


def test_a_taken_username_is_a_409(client, admin, make_user):
    make_user(username="liuyang", roles=(OPERATOR,))

    response = client.post(USERS, headers=admin, json={
        "username": "LiuYang", "display_name": "刘洋", "password": "0123456789", "roles": [ADMIN]})

    assert response.status_code == 409
    assert "username" in response.json["errors"]


# -- demo seed ----------------------------------------------------------------------------------
def test_the_seed_creates_departments_users_and_one_event_per_department(db, settings, passwords, seeded,
                                                                         table_rows):
    assert seeded == handlers.SeedResult(departments_created=len(demo.DEPARTMENTS),
                                         users_created=4 + len(demo.DEPARTMENTS))
    keys = [row.routing_key for row in table_rows("outbox")]
    assert keys == ["gateway.department.upserted"] * len(demo.DEPARTMENTS)
    utilities = {row.code for row in table_rows("departments") if row.utility}
    assert utilities == {"swjt", "rqjt", "gdgs", "rlgs"}


def test_seeding_twice_changes_nothing_and_publishes_nothing(directory, seeded, table_rows):
    before = {t: table_rows(t) for t in ("departments", "users", "user_roles", "outbox", "audit_log")}

    again = handlers.seed_demo(directory)

    assert again == handlers.SeedResult(departments_created=0, users_created=0)
    assert {t: table_rows(t) for t in before} == before


def test_demo_users_log_in_with_the_demo_password(client, settings, seeded):
    for username, roles, departments in [("operator", [OPERATOR], []), ("admin", [ADMIN], []),
                                         ("dept-zjj", [DEPARTMENT], ["zjj"])]:
        response = client.post("/api/auth/v1/token",
                               json={"username": username, "password": settings.demo_password})
        assert response.status_code == 200, username
        assert (response.json["user"]["roles"], response.json["user"]["departments"]) == (roles, departments)


def test_the_seed_refuses_in_distributed_mode_and_writes_nothing(directory, settings, table_rows):
    distributed = replace(directory, settings=replace(settings, mode=DISTRIBUTED))

    with pytest.raises(RuntimeError, match="embedded"):
        handlers.seed_demo(distributed)

    assert table_rows("departments") == table_rows("users") == []


# -- plumbing -----------------------------------------------------------------------------------
def test_the_openapi_document_describes_both_apis(client):
    response = client.get("/api/gateway/openapi.json")

    assert response.status_code == 200
    paths = response.json["paths"]
    assert {"/api/auth/v1/token", "/api/auth/v1/me", "/api/directory/v1/departments",
            "/api/directory/v1/departments/{code}", "/api/directory/v1/users"} <= set(paths)
    assert "bearerAuth" in response.json["components"]["securitySchemes"]


def test_the_migrations_build_exactly_the_tables_the_code_uses(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_the_cli_lists_departments_and_refuses_demo_data_in_distributed_mode(app, settings, seeded):
    runner = CliRunner()

    listed = runner.invoke(directory, ["list-departments"], obj=settings)
    refused = runner.invoke(directory, ["seed-demo"],
                            obj=replace(settings, mode=DISTRIBUTED))

    assert listed.exit_code == 0, listed.output
    assert "市住房和城乡建设局" in listed.output
    assert refused.exit_code != 0
    assert "embedded" in refused.output


def test_the_cli_creates_a_user_with_a_prompted_password(client, app, settings):
    result = CliRunner().invoke(directory, ["create-user", "--username", "ops", "--display-name", "运维",
                                            "--role", "admin"], obj=settings,
                                input="a long enough secret\na long enough secret\n")

    assert result.exit_code == 0, result.output
    assert "a long enough secret" not in result.output
    login = client.post("/api/auth/v1/token", json={"username": "ops", "password": "a long enough secret"})
    assert login.status_code == 200


def test_an_admin_lists_users_a_page_at_a_time_without_password_hashes(client, admin, bearer, make_user):
    for name in ("aaa-first", "bbb-second", "ccc-third"):
        make_user(username=name, roles=(OPERATOR,))

    first = client.get(USERS, headers=admin, query_string={"page_size": 2})
    second = client.get(USERS, headers=admin, query_string={"page_size": 2, "page": 2})

    assert first.status_code == 200 and first.json["total"] == 3
    assert [u["username"] for u in first.json["items"]] == ["aaa-first", "bbb-second"]
    assert [u["username"] for u in second.json["items"]] == ["ccc-third"]
    assert "password_hash" not in first.json["items"][0] and first.json["items"][0]["roles"] == [OPERATOR]
    assert client.get(USERS, headers=bearer(OPERATOR)).status_code == 403
