"""What GeoReport v2 says an answer looks like, written from the spec (wiki.open311.org/GeoReport_v2)
for these tests: JSON Schemas for the JSON answers and the element structure of the XML ones."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import jsonschema

_TEXT = {"type": ["string", "null"]}
# W3C date-time with a zone: Z or ±hh:mm (the spec's "ISO 8601 as per the w3 note").
_DATETIME = {"type": ["string", "null"],
             "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"}

SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
    "additionalProperties": False,
    "properties": {
        "service_code": {"type": "string", "minLength": 1}, "service_name": {"type": "string", "minLength": 1},
        "description": _TEXT, "metadata": {"type": "boolean"},
        "type": {"enum": ["realtime", "batch", "blackbox"]}, "keywords": _TEXT, "group": _TEXT,
    },
}
SERVICES = {"type": "array", "items": SERVICE}

VALUE = {"type": "object", "required": ["key", "name"], "additionalProperties": False,
         "properties": {"key": {"type": "string"}, "name": {"type": "string"}}}
ATTRIBUTE = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "datatype_description", "order", "description"],
    "additionalProperties": False,
    "properties": {
        "variable": {"type": "boolean"}, "code": {"type": "string", "minLength": 1},
        "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
        "required": {"type": "boolean"}, "datatype_description": _TEXT,
        "order": {"type": "integer", "minimum": 0}, "description": {"type": "string", "minLength": 1},
        "values": {"type": "array", "items": VALUE},
    },
}
SERVICE_DEFINITION = {"type": "object", "required": ["service_code", "attributes"], "additionalProperties": False,
                      "properties": {"service_code": {"type": "string"},
                                     "attributes": {"type": "array", "items": ATTRIBUTE}}}

POSTED = {"type": "array", "minItems": 1, "maxItems": 1, "items": {
    "type": "object", "anyOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
    "additionalProperties": False,
    "properties": {"service_request_id": {"type": "string", "minLength": 1}, "token": _TEXT,
                   "service_notice": _TEXT, "account_id": _TEXT}}}

TOKEN = {"type": "array", "minItems": 1, "maxItems": 1, "items": {
    "type": "object", "required": ["service_request_id", "token"], "additionalProperties": False,
    "properties": {"service_request_id": {"type": ["string", "null"]}, "token": {"type": "string"}}}}

REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "additionalProperties": False,
    "properties": {
        "service_request_id": {"type": "string", "minLength": 1}, "status": {"enum": ["open", "closed"]},
        "status_notes": _TEXT, "service_name": _TEXT, "service_code": {"type": "string"},
        "description": {"type": ["string", "null"], "maxLength": 4000}, "agency_responsible": _TEXT,
        "service_notice": _TEXT, "requested_datetime": _DATETIME, "updated_datetime": _DATETIME,
        "expected_datetime": _DATETIME, "address": _TEXT, "address_id": _TEXT, "zipcode": _TEXT,
        "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180}, "media_url": _TEXT,
    },
}
REQUESTS = {"type": "array", "items": REQUEST}

ERRORS = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["code", "description"], "additionalProperties": False,
    "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}}}}

DISCOVERY = {
    "type": "object", "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": _DATETIME, "contact": {"type": "string"}, "key_service": {"type": "string"},
        "endpoints": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["specification", "url", "changeset", "type", "formats"],
            "properties": {"specification": {"type": "string"}, "url": {"type": "string"}, "changeset": _DATETIME,
                           "type": {"enum": ["production", "test"]},
                           "formats": {"type": "array", "items": {"type": "string"}}}}},
    },
}


def valid(schema: dict[str, Any], data: Any) -> Any:
    """Raise jsonschema.ValidationError unless ``data`` fits; returns it."""
    jsonschema.validate(data, schema)
    return data


# -- XML: the element tree each answer must have -----------------------------------------------------
# root → (item element, its allowed children); a child in LISTS holds repeated sub-elements.
XML_ITEMS: dict[str, tuple[str, dict[str, Any]]] = {
    "services": ("service", {k: None for k in SERVICE["properties"]}),
    "service_requests": ("request", {k: None for k in (*REQUEST["properties"], "token", "service_notice",
                                                         "account_id")}),
    "errors": ("error", {"code": None, "description": None}),
}
DEFINITION_CHILDREN = {"service_code": None, "attributes": ("attribute", {
    **{k: None for k in ATTRIBUTE["properties"] if k != "values"},
    "values": ("value", {"key": None, "name": None})})}


def _check_children(element: ET.Element, allowed: dict[str, Any]) -> dict[str, Any]:
    """Each child of ``element`` is allowed and appears once; lists hold only their item element."""
    seen: dict[str, Any] = {}
    for child in element:
        assert child.tag in allowed, f"<{child.tag}> is not allowed in <{element.tag}>"
        assert child.tag not in seen, f"<{child.tag}> appears twice in <{element.tag}>"
        nested = allowed[child.tag]
        if nested is None:
            assert len(child) == 0, f"<{child.tag}> must hold text only"
            seen[child.tag] = child.text or ""
        else:
            item, children = nested
            if children is None:  # a list of texts
                assert all(len(sub) == 0 for sub in _only(child, item)), f"<{item}> must hold text only"
                seen[child.tag] = [sub.text or "" for sub in child]
            else:
                seen[child.tag] = [_check_children(sub, children) for sub in _only(child, item)]
    return seen


def _only(element: ET.Element, tag: str) -> list[ET.Element]:
    items = list(element)
    assert all(i.tag == tag for i in items), f"<{element.tag}> may hold only <{tag}>"
    return items


def parse_xml(body: bytes, root: str) -> Any:
    """Check the declaration, the root and the element structure; returns plain dicts/lists of text."""
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), body[:60]
    tree = ET.fromstring(body)
    assert tree.tag == root, f"root is <{tree.tag}>, not <{root}>"
    if root == "service_definition":
        return _check_children(tree, DEFINITION_CHILDREN)
    if root == "discovery":
        return _check_children(tree, {"changeset": None, "contact": None, "key_service": None,
                                      "endpoints": ("endpoint", {"specification": None, "url": None,
                                                                 "changeset": None, "type": None,
                                                                 "formats": ("format", None)})})
    item, children = XML_ITEMS[root]
    return [_check_children(element, children) for element in _only(tree, item)]
