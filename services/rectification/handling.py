"""What a notice and a review share: a department that answers for it, a status that allows some steps, and a
history of who did what. Pure domain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from services.rectification.rules import label
from shared.domain import Actor
from shared.errors import Forbidden, InvalidTransition


class Handled:
    """A mixin; the dataclass using it has ``department``, ``status`` and ``history``."""

    NOUN: ClassVar[tuple[str, str]]      # ("通知书", "notice")
    OWNER: ClassVar[tuple[str, str]]     # ("被通知单位", "notified department")
    department: str
    status: Any
    history: list[dict[str, Any]]

    def _own(self, actor: Actor) -> None:
        if self.department not in actor.departments:
            raise Forbidden(f"只有{self.OWNER[0]}可以办理 / only the {self.OWNER[1]} may do this")

    def _require(self, *allowed: StrEnum, action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"{self.NOUN[0]}当前为“{label(self.status)}”，不能执行“{action}” / cannot {action} "
                                    f"a {self.status.value} {self.NOUN[1]}", {"status": [self.status.value]})

    def _log(self, now: datetime, actor: Actor, action: str, **data: Any) -> None:
        self.history.append({"at": now.isoformat(), "by": actor.username, "action": action, **data})
