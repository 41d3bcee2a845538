"""GeoReport v2's two formats: the same answer as a JSON array/object or as the spec's XML document.

The XML wraps each list in the element the spec names (``<services><service>``,
``<service_requests><request>``, ``<errors><error>``, ``<attributes><attribute>``, ``<values><value>``,
``<endpoints><endpoint>``, ``<formats><format>``); booleans are ``true``/``false``, a missing value is
an empty element. UTF-8, with the XML declaration the spec asks for.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

# The element of each item of a list, by the list's own element.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item = ITEMS[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """``data`` (a list, or a dict for one document) under the element ``root``."""
    element = ET.Element(root)
    _fill(element, data)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode").encode("utf-8")


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def render(fmt: str, root: str, data: Any) -> tuple[bytes, str]:
    """The body and Content-Type of ``data`` in format ``fmt`` (``json`` or ``xml``)."""
    if fmt == "xml":
        return to_xml(root, data), XML_TYPE
    return to_json(data), JSON_TYPE
