"""``/api/rules/v1``: the rules in force (time limits, card thresholds …) and their published versions.

Any signed-in user reads them (they are how deadlines and cards are worked out); only an admin publishes.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from gateway import rules_versions as rules
from gateway.rules_versions import RulesVersion
from shared.appcontext import service_db
from shared.auth import ADMIN, require_principal
from shared.schemas import PageQuerySchema, page, page_schema
from shared.web import Blueprint

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]

rules_blp = Blueprint("rules", __name__, url_prefix="/api/rules/v1",
                      description="规则配置：办理时限、预警与黄红牌阈值、考核权重 / the rules and their versions")


class RulesPublishSchema(Schema):
    document = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True,
                           metadata={"description": '{"hotline": {"handle_general": {"amount": 5, "unit": '
                                                    '"working_days"}}, "monitoring": {"red_after_workdays": 5}}: '
                                                    "only what differs from the defaults"})
    note = fields.String(load_default="", validate=validate.Length(max=200),
                         metadata={"description": "依据或说明，如文件号 / the basis, e.g. a notice's number"})


class RulesReadSchema(Schema):
    version = fields.Integer(metadata={"description": "0: the defaults, none published"})
    note = fields.String()
    published_at = fields.DateTime(allow_none=True)
    published_by = fields.String()
    document = fields.Dict(metadata={"description": "what this version sets"})
    effective = fields.Dict(metadata={"description": "every rule in force under this version"})


RulesPageSchema = page_schema(RulesReadSchema, "RulesPage")


def _view(version: RulesVersion) -> dict[str, Any]:
    return {"version": version.version, "note": version.note, "published_at": version.published_at,
            "published_by": version.published_by, "document": version.document, "effective": version.effective()}


@rules_blp.route("")
class Current(MethodView):
    @rules_blp.doc(security=BEARER)
    @rules_blp.response(200, RulesReadSchema)
    def get(self) -> dict[str, Any]:
        """现行规则 / the rules in force"""
        require_principal()
        return _view(rules.current(db=service_db()))

    @rules_blp.doc(security=BEARER)
    @rules_blp.arguments(RulesPublishSchema)
    @rules_blp.response(200, RulesReadSchema)
    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        """发布新版本规则（管理员） / publish a new version (admin)

        It applies to what starts from now on in every service: new tickets' deadlines, new clocks'
        thresholds; running clocks keep the version they started under. The same document as the
        newest version publishes nothing.
        """
        principal = require_principal(ADMIN)
        version, _changed = rules.publish_version(db=service_db(), actor=principal.actor, document=body["document"],
                                          note=body["note"], correlation_id=g.correlation_id)
        return _view(version)


@rules_blp.route("/versions")
class Versions(MethodView):
    @rules_blp.doc(security=BEARER)
    @rules_blp.arguments(PageQuerySchema, location="query")
    @rules_blp.response(200, RulesPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """已发布的版本，新的在前 / published versions, newest first"""
        require_principal()
        items, total = rules.list_versions(db=service_db(), page=query["page"], page_size=query["page_size"])
        return page([_view(v) for v in items], page=query["page"], page_size=query["page_size"], total=total)


@rules_blp.route("/versions/<int:version>")
class Version(MethodView):
    @rules_blp.doc(security=BEARER)
    @rules_blp.response(200, RulesReadSchema)
    def get(self, version: int) -> dict[str, Any]:
        """某一版本 / one version"""
        require_principal()
        return _view(rules.get_version(db=service_db(), version=version))
