"""The directory domain: departments (承办单位) and the users who log in. Pure Python.

Validation lives here so the API, the CLI and the demo seed all obey the same rules; every failure
is one ``InvalidInput`` carrying per-field messages, reported as a 422 envelope.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.errors import InvalidInput
from shared.events import DomainEvent
from shared.events.gateway import DepartmentUpserted
from shared.roles import DEPARTMENT, ROLES

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
CODE_MAX = 32
NAME_MAX = 100
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
USERNAME_MIN, USERNAME_MAX = 2, 64
PASSWORD_MIN = 10
# argon2 accepts any length, but hashing megabytes per login attempt is a cheap denial of service.
PASSWORD_MAX = 1024


class DepartmentKind(StrEnum):
    """What sort of body a department is; the ``utility`` flag is separate (see ``Department``)."""

    BUREAU = "bureau"
    DISTRICT = "district"
    UTILITY = "utility"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    DepartmentKind.BUREAU: "政府工作部门",
    DepartmentKind.DISTRICT: "区县人民政府",
    DepartmentKind.UTILITY: "公用事业单位",
    DepartmentKind.OTHER: "其他单位",
}


@dataclass(frozen=True)
class Department:
    """A unit tickets are dispatched to.

    ``utility`` marks 水电气热 providers, whose sign-in and handling limits are shorter (Tianjin 2024
    rules); it is a flag rather than a kind because a public-service enterprise such as a bus company
    is of kind ``utility`` without falling under those limits.
    """

    code: str
    name: str
    kind: DepartmentKind
    utility: bool = False
    active: bool = True
    # A new or changed department announces itself once stored (services keep a replica).
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    def with_changes(self, *, name: str | None = None, kind: str | None = None,
                     utility: bool | None = None, active: bool | None = None) -> Department:
        """A validated copy with the given fields changed; the code never changes."""
        return new_department(
            code=self.code,
            name=self.name if name is None else name,
            kind=self.kind if kind is None else kind,
            utility=self.utility if utility is None else utility,
            active=self.active if active is None else active,
        )

    def to_dict(self) -> dict[str, Any]:
        """The public view, also the data of ``gateway.department.upserted`` and of its audit."""
        return {"code": self.code, "name": self.name, "kind": self.kind.value,
                "utility": self.utility, "active": self.active}


def new_department(*, code: str, name: str, kind: str, utility: bool = False,
                   active: bool = True) -> Department:
    """A validated department; raises ``InvalidInput`` listing every bad field."""
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not CODE_PATTERN.match(code) or not 2 <= len(code) <= CODE_MAX:
        errors["code"] = [f"编码须为 2–{CODE_MAX} 位小写字母、数字或连字符，以字母开头 / "
                          f"code must be a lowercase ascii slug of 2–{CODE_MAX} characters"]
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= NAME_MAX:
        errors["name"] = [f"名称须为 2–{NAME_MAX} 个字符 / name must be 2–{NAME_MAX} characters"]
    try:
        parsed_kind = DepartmentKind(kind)
    except ValueError:
        errors["kind"] = ["类型须为 " + "、".join(k.value for k in DepartmentKind) +
                          " 之一 / kind must be one of " + ", ".join(k.value for k in DepartmentKind)]
    if errors:
        raise InvalidInput("单位信息有误 / invalid department: " + ", ".join(sorted(errors)), errors)
    department = Department(code=code, name=name, kind=parsed_kind, utility=bool(utility), active=bool(active))
    department.events.append(DepartmentUpserted(**department.to_dict()))
    return department


@dataclass(frozen=True)
class User:
    """Someone who logs in. ``departments`` are department codes, only for the department role."""

    username: str
    display_name: str
    password_hash: str = field(repr=False)
    roles: tuple[str, ...]
    departments: tuple[str, ...]
    active: bool
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Everything but the password hash (the audit trail and API never see it)."""
        return {"username": self.username, "display_name": self.display_name,
                "roles": list(self.roles), "departments": list(self.departments),
                "active": self.active, "created_at": self.created_at}

    def with_password_hash(self, password_hash: str) -> User:
        return replace(self, password_hash=password_hash)


def normalize_username(username: str) -> str:
    """Usernames compare case-insensitively, so ``Admin`` and ``admin`` are one account."""
    return (username or "").strip().lower()


def check_password_policy(password: str, *, username: str) -> None:
    """At least ``PASSWORD_MIN`` characters, not the username; raises ``InvalidInput``."""
    problems = []
    if len(password or "") < PASSWORD_MIN:
        problems.append(f"密码至少 {PASSWORD_MIN} 个字符 / password needs at least {PASSWORD_MIN} characters")
    elif len(password) > PASSWORD_MAX:
        problems.append(f"密码最多 {PASSWORD_MAX} 个字符 / at most {PASSWORD_MAX} characters")
    elif normalize_username(password) == normalize_username(username):
        problems.append("密码不能与用户名相同 / password must differ from the username")
    if problems:
        raise InvalidInput("密码不符合要求 / password too weak", {"password": problems})


def new_user(*, username: str, display_name: str, password: str, roles: Iterable[str],
             departments: Iterable[str] = (), active: bool = True, created_at: datetime,
             hash_password: Callable[[str], str]) -> User:
    """A validated user. The password is hashed only after every other check passed (hashing is slow)."""
    errors: dict[str, list[str]] = {}
    username = normalize_username(username)
    if not USERNAME_PATTERN.match(username) or not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        errors["username"] = [f"用户名须为 {USERNAME_MIN}–{USERNAME_MAX} 位小写字母、数字或 . _ - / "
                              f"username must be {USERNAME_MIN}–{USERNAME_MAX} of a-z 0-9 . _ -"]
    display_name = " ".join((display_name or "").split())
    if not 1 <= len(display_name) <= NAME_MAX:
        errors["display_name"] = [f"姓名须为 1–{NAME_MAX} 个字符 / "
                                  f"display name must be 1–{NAME_MAX} characters"]
    role_set = set(roles)
    if not role_set:
        errors["roles"] = ["至少需要一个角色 / at least one role is required"]
    elif unknown := role_set - set(ROLES):
        errors["roles"] = ["未知角色 / unknown roles: " + ", ".join(sorted(unknown))]
    department_set = {code.strip() for code in departments}
    if DEPARTMENT in role_set and not department_set:
        errors["departments"] = ["承办单位角色须指定单位 / the department role needs at least one department"]
    elif DEPARTMENT not in role_set and department_set:
        errors["departments"] = ["只有承办单位角色可指定单位 / only the department role has departments"]
    try:
        check_password_policy(password, username=username)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput("用户信息有误 / invalid user: " + ", ".join(sorted(errors)), errors)
    return User(username=username, display_name=display_name, password_hash=hash_password(password),
                roles=tuple(sorted(role_set)), departments=tuple(sorted(department_set)),
                active=bool(active), created_at=created_at)
