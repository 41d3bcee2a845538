"""Logs are JSON lines: a short event name plus the facts given as ``extra`` fields, and the bound ids."""

from __future__ import annotations

import json
import logging

from shared.logs import JsonFormatter, correlation_id_var


def test_extra_fields_become_json_fields_beside_the_bound_correlation_id():
    record = logging.LogRecord("duban.test", logging.WARNING, __file__, 1, "consumer lost rabbitmq", (), None)
    record.__dict__.update(queue="hotline", attempt=3, error=ValueError("boom"))
    token = correlation_id_var.set("corr-1")
    try:
        entry = json.loads(JsonFormatter().format(record))
    finally:
        correlation_id_var.reset(token)

    assert entry["msg"] == "consumer lost rabbitmq"
    assert (entry["queue"], entry["attempt"], entry["error"]) == ("hotline", 3, "boom")
    assert entry["correlation_id"] == "corr-1" and entry["level"] == "warning"
    assert "args" not in entry and "lineno" not in entry
