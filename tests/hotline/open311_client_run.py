"""Run by the client venv's Python (not the project's): read an Open311 endpoint with the PyPI
``georeport`` client in both formats and print what it got, as JSON, for the test to compare."""

import json
import sys

from georeport import GeoReport

root, number, code = sys.argv[1:4]
found = {}
for fmt in ("json", "xml"):
    client = GeoReport(root, output_format=fmt)
    services = client.get_service_list()
    definition = client.get_service_definition(code)
    attributes = definition["attributes"]
    if fmt == "xml":  # xmltodict: <attributes><attribute>… is {"attribute": [...]} (or one dict)
        attributes = attributes["attribute"]
        attributes = attributes if isinstance(attributes, list) else [attributes]
    listed = client.get_service_requests(service_request_id=number)
    found[fmt] = {
        "service_codes": [s["service_code"] for s in services],
        "definition_code": definition["service_code"],
        "attribute_codes": [a["code"] for a in attributes],
        "request": client.get_service_request(number),
        "listed": listed if isinstance(listed, list) else [listed],
    }
print(json.dumps(found, ensure_ascii=False))
