"""What every request must be before any view reads it: a bounded body, JSON a client could have meant,
and text without control characters or lone surrogates.

Each refusal is the usual envelope (413 or 422) and happens before anything is written. Python's own
json module accepts things no store should take: ``"\\ud800"`` (a lone surrogate that cannot be encoded
to UTF-8, let alone to PostgreSQL), 50,000 nested arrays (RecursionError), integers of thousands of
digits (``ValueError`` from int()), and ``NaN``. PostgreSQL refuses NUL in text, and other control
characters are never what a person typed; tabs and line breaks are.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from shared.errors import InvalidInput
from shared.settings import Settings

MAX_DEPTH = 32
MAX_NUMBER_LITERAL = 100  # characters of one number literal; no field of ours needs more than 20

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; lone (or any) surrogates.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class _Refused(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(problem)
        self.where, self.problem = where, problem


def text_problem(value: str) -> str | None:
    """Why ``value`` is no acceptable text, or None."""
    bad = _FORBIDDEN.search(value)
    if bad is None:
        return None
    if "\ud800" <= bad.group() <= "\udfff":
        return "contains a lone surrogate (not Unicode text)"
    return f"contains the control character U+{ord(bad.group()):04X}; only tab and line breaks are allowed"


def _number(literal: str) -> str:
    if len(literal) > MAX_NUMBER_LITERAL:
        raise _Refused("body", f"a number literal of {len(literal)} characters is too long")
    return literal


def _int(literal: str) -> int:
    return int(_number(literal))


def _float(literal: str) -> float:
    return float(_number(literal))


def _constant(name: str) -> Any:
    raise _Refused("body", f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """Parse a request body the strict way, or raise InvalidInput naming the problem."""
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except _Refused as refused:
        raise _invalid(refused.where, refused.problem) from None
    except RecursionError:
        raise _invalid("body", f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # UnicodeDecodeError, JSONDecodeError
        raise InvalidInput("请求体不是有效的 JSON / the request body is not valid JSON",
                           {"json": ["不是有效的 JSON / invalid JSON body"]}) from None
    try:
        _walk(value)
    except _Refused as refused:
        raise _invalid(refused.where, refused.problem) from None
    return value


def _walk(value: Any) -> None:
    """Check depth and every string (keys too), iteratively: the depth is what is being checked."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "body")]
    while stack:
        item, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            raise _Refused("body", f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                raise _Refused(where, problem)
        elif isinstance(item, dict):
            for key, child in item.items():
                problem = text_problem(key)
                if problem:
                    raise _Refused("body", f"a key {problem}")
                stack.append((child, depth + 1, key if depth == 1 else where))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, where) for child in item)


def _invalid(where: str, problem: str) -> InvalidInput:
    return InvalidInput(f"请求内容有误 / invalid input: {where} {problem}", {where: [problem]})


def check_request() -> None:
    """The before-request check: body size, JSON body, query string and path."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"请求体超过 {limit} 字节 / the request body exceeds {limit} bytes")
    for name, value in request.args.items(multi=True):
        problem = text_problem(name) or text_problem(value)
        if problem:
            raise _invalid(name, problem)
    problem = text_problem(request.path)
    if problem:
        raise _invalid("path", problem)
    # An empty body is no body (a GET sent with a JSON content type): the view decides whether it needs one.
    if request.is_json and (body := request.get_data(cache=True)):
        parse_json(body)


def init_input_guard(app: Flask, settings: Settings) -> None:
    """Bound the body (``DUBAN_MAX_BODY_BYTES``) and check every request before its view runs."""
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.before_request(check_request)
