"""Taxonomy and Open311 key administration over HTTP: thin views over category_store and open311_keys."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.hotline import category_schemas as cs
from services.hotline import category_store, open311_keys
from services.hotline.handlers import Hotline
from shared.appcontext import service_context
from shared.auth import ADMIN, DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR, require_principal
from shared.schemas import page
from shared.web import Blueprint

blp = Blueprint("categories", __name__, url_prefix="/api/hotline/v1",
                description="诉求分类（由目录管理员维护）与 Open311 API 密钥")

READERS = (OPERATOR, DISPATCHER, DEPARTMENT, INSPECTOR)


def _db() -> Any:
    hotline: Hotline = service_context()
    return hotline.db


@blp.route("/categories")
@blp.arguments(cs.CategoryListQuerySchema, location="query")
@blp.response(200, cs.CategoryPageSchema)
def categories(query: dict[str, Any]) -> dict[str, Any]:
    """诉求分类: the taxonomy by group, with each category's suggested department and extra questions."""
    require_principal(*READERS)
    found = category_store.list_categories(_db(), include_inactive=query["include_inactive"], group=query["group"])
    start = (query["page"] - 1) * query["page_size"]
    return page([category_store.snapshot(c) for c in found[start:start + query["page_size"]]],
                page=query["page"], page_size=query["page_size"], total=len(found))


@blp.route("/categories/<code>")
class CategoryView(MethodView):
    @blp.response(200, cs.CategoryReadSchema)
    def get(self, code: str) -> dict[str, Any]:
        """One category."""
        require_principal(*READERS)
        return category_store.snapshot(category_store.get_category(_db(), code))

    @blp.arguments(cs.CategoryWriteSchema)
    @blp.response(200, cs.CategoryReadSchema)
    def put(self, data: dict[str, Any], code: str) -> dict[str, Any]:
        """Create or replace a category (admin). ``active: false`` retires it: tickets keep it."""
        principal = require_principal(ADMIN)
        category, _ = category_store.put_category(_db(), actor=principal.actor,
                                                  category=cs.category_from(code, data))
        return category_store.snapshot(category)


@blp.route("/open311/keys")
class Keys(MethodView):
    @blp.arguments(cs.KeyListQuerySchema, location="query")
    @blp.response(200, cs.KeyPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Open311 API keys (admin): names and hints, never the keys."""
        require_principal(ADMIN)
        keys = open311_keys.list_keys(_db())
        start = (query["page"] - 1) * query["page_size"]
        return page([k.as_dict() for k in keys[start:start + query["page_size"]]], page=query["page"],
                    page_size=query["page_size"], total=len(keys))

    @blp.arguments(cs.KeyCreateSchema)
    @blp.response(201, cs.KeyCreatedSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Issue a key to a named client (admin); the answer is the only time the key is shown.

        Not replayed under an Idempotency-Key (the key would be stored in clear): a retry after a lost
        answer gets 409, and the admin revokes that name and issues a new one.
        """
        principal = require_principal(ADMIN)
        record, key = open311_keys.create_key(_db(), name=data["name"], actor=principal.actor)
        return {**record.as_dict(), "key": key}


@blp.route("/open311/keys/<name>/revoke", methods=["POST"])
@blp.response(200, cs.KeyReadSchema)
def revoke(name: str) -> dict[str, Any]:
    """Revoke a client's key (admin); requests with it are refused from now on (403)."""
    principal = require_principal(ADMIN)
    return open311_keys.revoke_key(_db(), name=name, actor=principal.actor).as_dict()
