"""Rules as configuration (DESIGN §6): time limits, card thresholds, score weights … as one JSON document.

The document has a section per policy class (``{"hotline": {...}, "monitoring": {...}}``); each service
names its sections (``RULE_SECTIONS`` in its rules.py). A section lists only what differs from the
defaults in code. Values: a time limit is ``{"amount": 5, "unit": "working_days"}``; a period of days is
``{"days": 30}``; numbers are numbers. Anything else, an unknown key or a value out of range is refused
with every fault named by its path (``monitoring.red_after_workdays``).

The admin publishes numbered versions (gateway); every service replicates them and reads them through a
``RuleBook``. A policy is looked up by version, so a clock started under version 3 keeps version 3's
thresholds after version 4 is published. Pure Python.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import typing
from collections.abc import Callable, Hashable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from shared.errors import InvalidInput
from shared.time_limits import TimeLimit, TimeUnit

P = TypeVar("P")
Sections = Mapping[str, type]
# What a rule book reads: a fingerprint and every published version's document.
RulesSource = Callable[[], tuple[Hashable, dict[int, dict[str, Any]]]]
DEFAULTS_VERSION = 0  # no version published: the defaults in code
MAX_LIMIT = {TimeUnit.NATURAL_MINUTES: 60 * 24 * 30, TimeUnit.NATURAL_HOURS: 24 * 90,
             TimeUnit.NATURAL_DAYS: 365, TimeUnit.WORKING_DAYS: 250}


def to_config(policy: Any) -> dict[str, Any]:
    """A policy as the JSON values of its section (every field, defaults included)."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(policy):
        value = getattr(policy, f.name)
        if isinstance(value, TimeLimit):
            values[f.name] = {"amount": value.amount, "unit": value.unit.value}
        elif isinstance(value, timedelta):
            values[f.name] = {"days": value.days}
        else:
            values[f.name] = value
    return values


def from_config(cls: type[P], section: str, data: Any) -> P:
    """``cls`` with the values of ``data`` (a document's section) over its defaults; raises InvalidInput."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"规则“{section}”应为对象 / rules section {section} must be an object",
                           {section: ["must be an object"]})
    errors: dict[str, list[str]] = {}
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, raw in data.items():
        path = f"{section}.{key}"
        if key not in fields:
            errors[path] = ["unknown rule"]
            continue
        try:
            values[key] = _value(hints[key], raw, fields[key].metadata.get("range"))
        except ValueError as exc:
            errors[path] = [str(exc)]
    if errors:
        raise InvalidInput("规则有误 / invalid rules: " + ", ".join(sorted(errors)), errors)
    return cls(**values)


def _value(hint: Any, raw: Any, bounds: tuple[int, int] | None = None) -> Any:
    if hint is TimeLimit:
        if not isinstance(raw, Mapping) or set(raw) != {"amount", "unit"}:
            raise ValueError('a time limit is {"amount": n, "unit": "working_days"|"natural_days"|…}')
        try:
            unit = TimeUnit(raw["unit"])
        except ValueError:
            raise ValueError(f"unit must be one of {', '.join(u.value for u in TimeUnit)}") from None
        amount = _integer(raw["amount"], 1, MAX_LIMIT[unit])
        return TimeLimit(amount, unit)
    if hint is timedelta:
        if not isinstance(raw, Mapping) or set(raw) != {"days"}:
            raise ValueError('a period is {"days": n}')
        return timedelta(days=_integer(raw["days"], 1, 366))
    if hint is bool:
        if not isinstance(raw, bool):
            raise ValueError("true or false")
        return raw
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 1:
            raise ValueError("a share between 0 and 1")
        return float(raw)
    if hint is int:  # a field may declare its range: field(default=…, metadata={"range": (low, high)})
        return _integer(raw, *(bounds or (0, 1000)))
    raise ValueError(f"unsupported rule type {hint!r}")


def _integer(raw: Any, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise ValueError(f"a whole number from {low} to {high}")
    return raw


def validate(document: Any, sections: Sections) -> dict[str, Any]:
    """Check a whole document against the suite's sections; returns it as given. Raises InvalidInput."""
    if not isinstance(document, Mapping):
        raise InvalidInput("规则应为 JSON 对象 / the rules must be a JSON object", {"rules": ["must be an object"]})
    errors: dict[str, list[str]] = {}
    for section, data in document.items():
        if section not in sections:
            errors[section] = [f"unknown section; known: {', '.join(sorted(sections))}"]
            continue
        try:
            from_config(sections[section], section, data)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput("规则有误 / invalid rules: " + ", ".join(sorted(errors)), errors)
    return dict(document)


class RuleBook:
    """The rules a service computes with: its sections, overridden by the published versions.

    ``current(section)`` answers from the newest version, re-reading the source at most every
    ``refresh_seconds``; ``at(version, section)`` answers for a version once in force (a clock pinned to
    it). Policies are built once per version and section.
    """

    def __init__(self, sections: Sections, source: RulesSource | None = None, *, refresh_seconds: float = 5.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.sections = dict(sections)
        self._source = source
        self._refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._stamp: Hashable = None
        self._checked_at: float | None = None
        self._documents: dict[int, dict[str, Any]] = {DEFAULTS_VERSION: {}}
        self._policies: dict[tuple[int, str], Any] = {}

    @classmethod
    def fixed(cls, policies: Mapping[str, Any]) -> RuleBook:
        """A book that always answers these policies (tests, tools): no source, no versions."""
        book = cls({name: type(policy) for name, policy in policies.items()})
        book._policies.update({(DEFAULTS_VERSION, name): policy for name, policy in policies.items()})
        return book

    @property
    def version(self) -> int:
        """The newest version (0: none published)."""
        self._refresh()
        return max(self._documents)

    def current(self, section: str) -> Any:
        return self.at(self.version, section)

    def at(self, version: int, section: str) -> Any:
        key = (version, section)
        policy = self._policies.get(key)
        if policy is None:
            document = self._documents.get(version)
            if document is None:  # a version this process has not read yet: read now
                self._refresh(force=True)
                document = self._documents.get(version, {})
            policy = self._policies[key] = from_config(self.sections[section], section, document.get(section, {}))
        return policy

    def refresh(self) -> None:
        """Read the source now (tests, and after this process published a version itself)."""
        self._refresh(force=True)

    def _refresh(self, force: bool = False) -> None:
        if self._source is None:
            return
        now = self._monotonic()
        if not force and self._checked_at is not None and now - self._checked_at < self._refresh_seconds:
            return
        if not self._lock.acquire(blocking=force):
            return  # another thread is reading; answer from what is loaded
        try:
            stamp, documents = self._source()
            self._checked_at = now
            if stamp != self._stamp:
                self._documents = {DEFAULTS_VERSION: {}, **documents}
                self._stamp = stamp
        finally:
            self._lock.release()
