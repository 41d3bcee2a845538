"""HTTP views of the gateway: ``/api/auth/v1`` (tokens) and ``/api/directory/v1`` (departments, users)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask.views import MethodView

from gateway import Directory, handlers
from gateway.model import Department, User
from gateway.schemas import (
    DepartmentCreateSchema,
    DepartmentListQuerySchema,
    DepartmentPageSchema,
    DepartmentReadSchema,
    DepartmentUpdateSchema,
    PrincipalSchema,
    TokenRequestSchema,
    TokenSchema,
    UserCreateSchema,
    UserPageSchema,
    UserReadSchema,
)
from shared.appcontext import service_context
from shared.auth import ADMIN, TokenService, require_principal, requires
from shared.idempotency import idempotent
from shared.ratelimit import Limiter
from shared.web import Blueprint

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]

auth_blp = Blueprint("auth", __name__, url_prefix="/api/auth/v1",
                     description="登录与访问令牌 / login and access tokens")
directory_blp = Blueprint("directory", __name__, url_prefix="/api/directory/v1",
                          description="单位与用户目录 / directory of departments and users")


def _directory() -> Directory:
    directory: Directory = service_context()
    return directory


def _tokens() -> TokenService:
    return current_app.extensions["duban.tokens"]


def _actor() -> str:
    return require_principal(ADMIN).actor


@auth_blp.route("/token")
class Token(MethodView):
    @auth_blp.arguments(TokenRequestSchema)
    @auth_blp.response(200, TokenSchema)
    @auth_blp.alt_response(401, description="用户名或密码错误 / wrong username or password")
    def post(self, body: dict[str, Any]) -> handlers.Login:
        """登录，换取访问令牌 / log in and get an access token"""
        limiter: Limiter = current_app.extensions["duban.login_limiter"]
        limiter.hit(f"{request.remote_addr}|{body['username'].lower()}")
        return handlers.authenticate(_directory(), tokens=_tokens(), username=body["username"],
                                     password=body["password"])


@auth_blp.route("/me")
class Me(MethodView):
    @auth_blp.doc(security=BEARER)
    @auth_blp.response(200, PrincipalSchema)
    def get(self) -> dict[str, Any]:
        """当前用户 / the user the token speaks for"""
        principal = require_principal()
        return {"username": principal.username, "display_name": principal.display_name,
                "roles": sorted(principal.roles), "departments": sorted(principal.departments)}


@directory_blp.route("/departments")
class Departments(MethodView):
    @directory_blp.arguments(DepartmentListQuerySchema, location="query")
    @directory_blp.response(200, DepartmentPageSchema)
    def get(self, query: dict[str, Any]) -> handlers.DepartmentPage:
        """单位列表（公开） / list departments (public)"""
        return handlers.list_departments(_directory(), active=query.get("active"), page=query["page"],
                                         page_size=query["page_size"])

    @requires(ADMIN)
    @idempotent
    @directory_blp.doc(security=BEARER)
    @directory_blp.arguments(DepartmentCreateSchema)
    @directory_blp.response(201, DepartmentReadSchema)
    def post(self, body: dict[str, Any]) -> Department:
        """新增单位（管理员） / add a department (admin)"""
        return handlers.create_department(_directory(), actor=_actor(), correlation_id=g.correlation_id,
                                          **body)


@directory_blp.route("/departments/<code>")
class DepartmentByCode(MethodView):
    @directory_blp.response(200, DepartmentReadSchema)
    def get(self, code: str) -> Department:
        """单位详情（公开） / one department (public)"""
        return handlers.get_department(_directory(), code=code)

    @requires(ADMIN)
    @directory_blp.doc(security=BEARER)
    @directory_blp.arguments(DepartmentUpdateSchema)
    @directory_blp.response(200, DepartmentReadSchema)
    def patch(self, body: dict[str, Any], code: str) -> Department:
        """修改单位（管理员） / change a department (admin)"""
        return handlers.update_department(_directory(), actor=_actor(), code=code,
                                          correlation_id=g.correlation_id, **body)


@directory_blp.route("/users")
class Users(MethodView):
    @requires(ADMIN)
    @directory_blp.doc(security=BEARER)
    @directory_blp.arguments(DepartmentListQuerySchema(only=("page", "page_size")), location="query")
    @directory_blp.response(200, UserPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """用户列表（管理员） / list users (admin)"""
        items, total = handlers.list_users(_directory(), page=query["page"], page_size=query["page_size"])
        return {"items": items, "page": query["page"], "page_size": query["page_size"], "total": total}

    @requires(ADMIN)
    @idempotent
    @directory_blp.doc(security=BEARER)
    @directory_blp.arguments(UserCreateSchema)
    @directory_blp.response(201, UserReadSchema)
    def post(self, body: dict[str, Any]) -> User:
        """新增用户（管理员） / add a user (admin)"""
        return handlers.create_user(_directory(), actor=_actor(),
                                    correlation_id=g.correlation_id, **body)
