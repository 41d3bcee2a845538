"""Use cases of the gateway: log in, keep the directory of departments and users, seed demo data."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gateway import demo, model, store
from gateway.model import Department, User
from gateway.passwords import Passwords
from shared.auth import Principal, TokenService
from shared.db import Database
from shared.errors import Conflict, InvalidInput, NotFound, Unauthorized
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)

# One message for every failed login, so a response never tells whether the username exists.
LOGIN_FAILED = "用户名或密码错误 / wrong username or password"
SEED_ACTOR = "system:demo-seed"


@dataclass(frozen=True)
class Login:
    access_token: str
    expires_in: int
    user: User
    token_type: str = "Bearer"


@dataclass(frozen=True)
class DepartmentPage:
    items: list[Department]
    page: int
    page_size: int
    total: int


@dataclass(frozen=True)
class SeedResult:
    departments_created: int
    users_created: int


if TYPE_CHECKING:
    from gateway import Directory


def principal_of(user: User) -> Principal:
    return Principal(username=user.username, roles=frozenset(user.roles),
                     departments=frozenset(user.departments), display_name=user.display_name)


# -- login --------------------------------------------------------------------------------------
def authenticate(directory: Directory, *, tokens: TokenService, username: str, password: str) -> Login:
    """Check the password and issue an access token; upgrades the hash when argon2 parameters changed."""
    db, passwords = directory.db, directory.passwords
    if len(password) > model.PASSWORD_MAX:
        raise Unauthorized(LOGIN_FAILED)
    username = model.normalize_username(username)
    with db.read() as conn:
        user = store.get_user(conn, username)
    if user is None:
        passwords.verify_dummy(password)
        log.info("login failed: unknown user")
        raise Unauthorized(LOGIN_FAILED)
    # The password is checked before ``active`` so a disabled account costs the same time to probe.
    if not passwords.verify(user.password_hash, password) or not user.active:
        log.info("login failed: wrong password", extra={"username": username})
        raise Unauthorized(LOGIN_FAILED)
    if passwords.needs_rehash(user.password_hash):
        _rehash(db, passwords, user, password)
    now = db.clock.now()
    token = tokens.issue(principal_of(user), now=now)
    return Login(access_token=token, expires_in=int(tokens.ttl.total_seconds()), user=user)


def _rehash(db: Database, passwords: Passwords, user: User, password: str) -> None:
    new_hash = passwords.hash(password)
    # Not audited: the credential is unchanged, only its storage format, and hashes stay out of the trail.
    with db.unit_of_work(actor=f"user:{user.username}") as uow:
        store.replace_password_hash(uow.conn, user.username, old=user.password_hash, new=new_hash,
                                    now=uow.now)
        uow.commit()


# -- departments --------------------------------------------------------------------------------
def get_department(directory: Directory, *, code: str) -> Department:
    with directory.db.read() as conn:
        department = store.get_department(conn, code)
    if department is None:
        raise NotFound(f"单位不存在 / no such department: {code}")
    return department


def list_departments(directory: Directory, *, active: bool | None = None, page: int = 1,
                     page_size: int = 50) -> DepartmentPage:
    with directory.db.read() as conn:
        items = store.list_departments(conn, active=active, offset=(page - 1) * page_size, limit=page_size)
        total = store.count_departments(conn, active=active)
    return DepartmentPage(items=items, page=page, page_size=page_size, total=total)


def create_department(directory: Directory, *, actor: str, code: str, name: str, kind: str, utility: bool = False,
                      active: bool = True, correlation_id: str | None = None) -> Department:
    """Add a department, audit it and announce it to the services that replicate the directory."""
    department = model.new_department(code=code, name=name, kind=kind, utility=utility, active=active)
    with directory.db.unit_of_work(actor=actor, correlation_id=correlation_id) as uow:
        _add_department(uow, department)
        uow.commit()
    return department


def update_department(directory: Directory, *, actor: str, code: str, name: str | None = None,
                      kind: str | None = None, utility: bool | None = None, active: bool | None = None,
                      correlation_id: str | None = None) -> Department:
    """Change a department; a change that changes nothing writes nothing and announces nothing."""
    with directory.db.unit_of_work(actor=actor, correlation_id=correlation_id) as uow:
        before = store.get_department(uow.conn, code)
        if before is None:
            raise NotFound(f"单位不存在 / no such department: {code}")
        after = before.with_changes(name=name, kind=kind, utility=utility, active=active)
        if after == before:
            return before
        if after.name != before.name:
            _check_name_free(uow, after)
        uow.repository(store.DepartmentRepository).save(after, now=uow.now)
        uow.audit("department.updated", "department", code, before=before.to_dict(), after=after.to_dict())
        uow.commit()
    return after


def _add_department(uow: UnitOfWork, department: Department) -> None:
    if store.get_department(uow.conn, department.code) is not None:
        raise Conflict(f"单位编码已存在 / department code already exists: {department.code}",
                       {"code": ["already exists"]})
    _check_name_free(uow, department)
    uow.repository(store.DepartmentRepository).add(department, now=uow.now)
    uow.audit("department.created", "department", department.code, before=None, after=department.to_dict())


def _check_name_free(uow: UnitOfWork, department: Department) -> None:
    holder = store.department_named(uow.conn, department.name)
    if holder is not None and holder.code != department.code:
        raise Conflict(f"单位名称已被 {holder.code} 使用 / department name already used by {holder.code}",
                       {"name": ["already exists"]})


# -- users --------------------------------------------------------------------------------------
def create_user(directory: Directory, *, actor: str, username: str, display_name: str,
                password: str, roles: Iterable[str], departments: Iterable[str] = (), active: bool = True,
                correlation_id: str | None = None) -> User:
    """Add a login; 409 when the username is taken, 422 for a weak password or an unknown department."""
    db, passwords = directory.db, directory.passwords
    user = model.new_user(username=username, display_name=display_name, password=password, roles=roles,
                          departments=departments, active=active, created_at=db.clock.now(),
                          hash_password=passwords.hash)
    with db.unit_of_work(actor=actor, correlation_id=correlation_id) as uow:
        _add_user(uow, user)
        uow.commit()
    return user


def list_users(directory: Directory, *, page: int = 1, page_size: int = 50) -> tuple[list[User], int]:
    """A page of logins by username, and how many there are."""
    with directory.db.read() as conn:
        return (store.list_users(conn, offset=(page - 1) * page_size, limit=page_size),
                store.count_users(conn))


def _add_user(uow: UnitOfWork, user: User) -> None:
    if store.get_user(uow.conn, user.username) is not None:
        raise Conflict(f"用户名已存在 / username already exists: {user.username}",
                       {"username": ["already exists"]})
    missing = set(user.departments) - store.existing_department_codes(uow.conn, user.departments)
    if missing:
        raise InvalidInput("单位不存在 / unknown departments: " + ", ".join(sorted(missing)),
                           {"departments": [f"unknown: {code}" for code in sorted(missing)]})
    store.insert_user(uow.conn, user)
    uow.audit("user.created", "user", user.username, before=None, after=user.to_dict())


# -- demo data ----------------------------------------------------------------------------------
def seed_demo(directory: Directory, *, password: str | None = None) -> SeedResult:
    """Load the demo directory; adds only what is missing, so a second run changes nothing.

    Outside embedded mode it needs an explicit ``password`` (the local distributed topology generates
    one): demo users must never get the published default there (DESIGN §8).
    """
    db, settings, passwords = directory.db, directory.settings, directory.passwords
    if not settings.embedded and not password:
        raise RuntimeError("演示数据只能在内置模式下载入 / demo data is for embedded mode only; "
                           "it would create users with a published password")
    password = password or settings.demo_password
    wanted = demo.users()
    names = [u.username for u in wanted]
    with db.read() as conn:
        missing = set(names) - store.existing_usernames(conn, names)
    # Hash before taking the write lock: argon2 is deliberately slow.
    new_users = [
        model.new_user(username=u.username, display_name=u.display_name, password=password,
                       roles=u.roles, departments=u.departments, created_at=db.clock.now(),
                       hash_password=passwords.hash)
        for u in wanted if u.username in missing
    ]
    departments_created = users_created = 0
    with db.unit_of_work(actor=SEED_ACTOR) as uow:
        for d in demo.DEPARTMENTS:
            if store.get_department(uow.conn, d.code) is None:
                _add_department(uow, model.new_department(code=d.code, name=d.name, kind=d.kind,
                                                          utility=d.utility))
                departments_created += 1
        for user in new_users:
            if store.get_user(uow.conn, user.username) is None:
                _add_user(uow, user)
                users_created += 1
        uow.commit()
    return SeedResult(departments_created=departments_created, users_created=users_created)


def seed_demo_directory(directory: Directory) -> SeedResult:
    """The gateway part's demo data (``PARTS``): the demo directory with the embedded demo password."""
    return seed_demo(directory)
