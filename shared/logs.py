"""Structured JSON logs with the request id and correlation id bound per request or message."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id",
                                                                                 default=None)


# What every LogRecord has; anything else on a record came from ``extra=`` and is logged as a field.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def describe_error(error: BaseException) -> str:
    """An exception as a log may show it: a database error's text quotes the row it failed on (a caller's
    name, phone or query code), so only its class and the SQL without values are kept."""
    from sqlalchemy.exc import StatementError

    if isinstance(error, StatementError):
        orig = getattr(error, "orig", None)
        statement = " ".join((error.statement or "").split())[:300]
        return f"{type(error).__name__} ({type(orig).__name__ if orig is not None else '-'}) in: {statement}"
    return f"{type(error).__name__}: {error}"


def _safe_arg(value: Any) -> Any:
    """What a log shows of an argument or ``extra`` field: a database error as ``describe_error``
    puts it, any other exception by its text."""
    if not isinstance(value, BaseException):
        return value
    from sqlalchemy.exc import StatementError

    return describe_error(value) if isinstance(value, StatementError) else str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: a short event name in ``msg`` and its facts as fields
    (``log.warning("consumer lost broker", extra={"queue": q, "error": str(exc)})``)."""

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.args, tuple) and any(isinstance(a, BaseException) for a in record.args):
            record.args = tuple(_safe_arg(a) for a in record.args)
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if (rid := request_id_var.get()) is not None:
            entry["request_id"] = rid
        if (cid := correlation_id_var.get()) is not None:
            entry["correlation_id"] = cid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry:
                value = _safe_arg(value)
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)

    def formatException(self, ei: Any) -> str:
        """The traceback's frames, and each exception in the chain as ``describe_error`` puts it."""
        _type, error, _tb = ei
        parts: list[str] = []
        seen: set[int] = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            parts.append("".join(traceback.format_tb(error.__traceback__)) + describe_error(error))
            error = error.__cause__ or error.__context__
        return "\n-- caused by --\n".join(reversed(parts))


def configure_logging(level: str = "INFO") -> None:
    """Install the JSON formatter on the root logger once (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # jieba prints its dictionary loading at DEBUG/INFO; it is noise in service logs.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    logging.getLogger("pika").setLevel(logging.WARNING)  # connection workflow chatter at INFO
