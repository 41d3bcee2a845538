"""Every event class of the suite, and the generated list of them in docs/events.md.

``python -m shared.events.catalogue`` rewrites the generated section; a test fails when it is stale.
"""

from __future__ import annotations

import sys
import typing
from dataclasses import MISSING, fields
from pathlib import Path

from shared.events import EVENTS, DomainEvent
from shared.events import audit as _audit  # noqa: F401  (registers the classes)
from shared.events import clocks as _clocks  # noqa: F401
from shared.events import gateway as _gateway  # noqa: F401
from shared.events import hotline as _hotline  # noqa: F401
from shared.events import monitoring as _monitoring  # noqa: F401
from shared.events import rectification as _rectification  # noqa: F401
from shared.events import spotcheck as _spotcheck  # noqa: F401

BEGIN = "<!-- BEGIN GENERATED EVENT LIST: python -m shared.events.catalogue -->"
END = "<!-- END GENERATED EVENT LIST -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def all_events() -> dict[str, type[DomainEvent]]:
    """The suite's events: the classes of ``shared/events`` (a test part may register its own)."""
    return {key: cls for key, cls in sorted(EVENTS.items()) if cls.__module__.startswith("shared.events.")}


def _type_name(hint: object) -> str:
    text = str(hint).replace("typing.", "").replace("datetime.datetime", "datetime")
    return text.removeprefix("<class '").removesuffix("'>")


def render() -> str:
    """The markdown list of events, their version and their fields."""
    lines = [BEGIN, "", "| routing key | v | fields (`?` optional) | meaning |", "|---|---|---|---|"]
    for key, cls in all_events().items():
        hints = typing.get_type_hints(cls)
        parts = []
        for f in fields(cls):
            optional = f.default is not MISSING or f.default_factory is not MISSING
            parts.append(f"`{f.name}{'?' if optional else ''}: {_type_name(hints[f.name])}`".replace("|", "\\|"))
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        meaning = doc.replace("|", "\\|")
        lines.append(f"| `{key}` | {cls.VERSION} | {', '.join(parts)} | {meaning} |")
    lines += ["", END]
    return "\n".join(lines)


def updated(text: str) -> str:
    """``text`` with its generated section replaced (appended if it has none)."""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        return head + render() + tail
    return text.rstrip("\n") + "\n\n## Every event (generated)\n\n" + render() + "\n"


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    DOC.write_text(updated(text), encoding="utf-8")
    print(f"wrote {len(EVENTS)} events to {DOC}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
