"""The hotline's category taxonomy (诉求分类): what a ticket is about, beyond its six types.

A category has a code, a name, a group, search keywords, the department it is usually dispatched to,
and optionally extra questions (attributes) asked at intake. The hotline publishes its active
categories as the Open311 GeoReport v2 services (docs/open311.md). Pure domain: no Flask or SQLAlchemy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.hotline.rules import TicketType
from shared.errors import InvalidInput

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MAX_ATTRIBUTES = 20
MAX_VALUES = 100


class Datatype(StrEnum):
    """The GeoReport v2 attribute datatypes."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLE = "singlevaluelist"
    MULTI = "multivaluelist"


LISTS = (Datatype.SINGLE, Datatype.MULTI)


@dataclass(frozen=True)
class Attribute:
    """An extra question of a category (GeoReport v2 service definition ``attribute``)."""

    code: str
    description: str
    datatype: Datatype = Datatype.STRING
    required: bool = False
    order: int = 1
    datatype_description: str = ""
    # A question for the citizen (True), or information for them only (False, no answer expected).
    variable: bool = True
    values: tuple[tuple[str, str], ...] = ()   # (key, name) for the list datatypes

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "description": self.description, "datatype": self.datatype.value,
                "required": self.required, "order": self.order,
                "datatype_description": self.datatype_description, "variable": self.variable,
                "values": [{"key": k, "name": n} for k, n in self.values]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attribute:
        return cls(code=data["code"], description=data["description"], datatype=Datatype(data["datatype"]),
                   required=bool(data.get("required", False)), order=int(data.get("order", 1)),
                   datatype_description=data.get("datatype_description", ""),
                   variable=bool(data.get("variable", True)),
                   values=tuple((v["key"], v["name"]) for v in data.get("values", ())))


@dataclass
class Category:
    """One category (诉求分类) of the hotline's taxonomy."""

    code: str
    name: str
    group: str
    keywords: list[str] = field(default_factory=list)
    description: str = ""
    department: str | None = None        # suggested lead department (建议承办单位)
    ticket_type: TicketType = TicketType.COMPLAINT
    utility: bool = False                # 水电气热: the short sign-in and handling limits apply
    attributes: list[Attribute] = field(default_factory=list)
    active: bool = True
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        check(self)

    @property
    def has_metadata(self) -> bool:
        """GeoReport v2 ``metadata``: whether the service definition asks anything."""
        return bool(self.attributes)


def check(category: Category) -> None:
    """Refuse a category that could not be published or answered (InvalidInput, 422)."""
    errors: dict[str, list[str]] = {}
    if not CODE.match(category.code):
        errors["code"] = ["letters, digits, '.', '_' or '-', at most 40"]
    if not category.name.strip() or len(category.name) > 60:
        errors["name"] = ["1–60 characters"]
    if not category.group.strip() or len(category.group) > 40:
        errors["group"] = ["1–40 characters"]
    if len(category.keywords) > 30 or any(not k.strip() or "," in k or len(k) > 20 for k in category.keywords):
        errors["keywords"] = ["at most 30 keywords of 1–20 characters, without commas"]
    if len(category.attributes) > MAX_ATTRIBUTES:
        errors["attributes"] = [f"at most {MAX_ATTRIBUTES}"]
    seen: set[str] = set()
    for attribute in category.attributes:
        problem = _attribute_problem(attribute, seen)
        if problem:
            errors.setdefault("attributes", []).append(f"{attribute.code}: {problem}")
        seen.add(attribute.code)
    if errors:
        raise InvalidInput("分类内容有误 / invalid category: " + ", ".join(sorted(errors)), errors)


def _attribute_problem(attribute: Attribute, seen: set[str]) -> str | None:
    if not CODE.match(attribute.code):
        return "the code must be letters, digits, '.', '_' or '-', at most 40"
    if attribute.code in seen:
        return "the code is used twice"
    if not attribute.description.strip():
        return "a description is required"
    if attribute.datatype in LISTS:
        keys = [k for k, _ in attribute.values]
        if not keys or len(keys) > MAX_VALUES or len(set(keys)) != len(keys):
            return f"a list needs 1–{MAX_VALUES} values with distinct keys"
    elif attribute.values:
        return "only list datatypes have values"
    return None


def answer_problem(attribute: Attribute, answer: list[str]) -> str | None:
    """Why ``answer`` (the submitted values, one unless a multi-value list) does not fit, or None."""
    values = [a.strip() for a in answer if a.strip()]
    if not values:
        return "is required" if attribute.required and attribute.variable else None
    if attribute.datatype is not Datatype.MULTI and len(values) > 1:
        return "takes one value"
    keys = {k for k, _ in attribute.values}
    if attribute.datatype in LISTS:
        unknown = [v for v in values if v not in keys]
        return f"unknown value {unknown[0]!r}" if unknown else None
    value = values[0]
    if attribute.datatype is Datatype.NUMBER:
        try:
            float(value)
        except ValueError:
            return "must be a number"
    if attribute.datatype is Datatype.DATETIME:
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return "must be an ISO-8601 date and time"
    limit = 4000 if attribute.datatype is Datatype.TEXT else 500
    return f"at most {limit} characters" if len(value) > limit else None


def describe_answers(category: Category, answers: dict[str, list[str]]) -> str:
    """The answers as lines a department reads with the ticket (``问题：回答``)."""
    lines = []
    for attribute in sorted(category.attributes, key=lambda a: a.order):
        given = [a.strip() for a in answers.get(attribute.code, []) if a.strip()]
        if not given:
            continue
        names = dict(attribute.values)
        lines.append(f"{attribute.description}：{'、'.join(names.get(v, v) for v in given)}")
    return "\n".join(lines)
