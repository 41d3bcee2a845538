"""``duban directory …``: demo data, users and departments from the command line."""

from __future__ import annotations

import getpass

import click

from gateway import Directory, handlers, open_context, store
from gateway.registry import PARTS
from shared.auth import ROLES
from shared.bootstrap import Environment
from shared.errors import DomainError
from shared.settings import Settings


def _settings() -> Settings:
    """The settings the ``duban`` script put in the context, else the environment's."""
    ctx = click.get_current_context()
    found = ctx.find_object(Settings)
    return found if found is not None else Settings.from_env()


def _directory() -> Directory:
    settings = _settings()
    PARTS["gateway"].migrate(settings)
    return open_context(Environment(settings))


@click.group("directory")
def directory() -> None:
    """单位与用户目录 / directory of departments and users."""


@directory.command("seed-demo")
def seed_demo() -> None:
    """载入演示单位与用户（仅内置模式） / load demo departments and users (embedded mode only)."""
    settings = _settings()
    if not settings.embedded:  # refuse before touching any database
        raise click.ClickException("演示数据只能在内置模式下载入 / demo data is for embedded mode only")
    directory = _directory()
    try:
        result = handlers.seed_demo(directory)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        directory.db.dispose()
    click.echo(f"新增单位 / departments added: {result.departments_created}; "
               f"新增用户 / users added: {result.users_created}")


@directory.command("create-user")
@click.option("--username", required=True)
@click.option("--display-name", required=True, help="姓名 / name shown in the UI")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--department", "departments", multiple=True, help="单位编码，仅承办单位角色 / department code")
@click.password_option("--password", prompt="密码 / password",
                       confirmation_prompt="再次输入 / repeat for confirmation")
def create_user(username: str, display_name: str, roles: tuple[str, ...], departments: tuple[str, ...],
                password: str) -> None:
    """新增用户 / add a user who can log in."""
    directory = _directory()
    try:
        user = handlers.create_user(directory, actor=f"cli:{getpass.getuser()}",
                                    username=username, display_name=display_name, password=password,
                                    roles=roles, departments=departments)
    except DomainError as exc:
        details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in exc.errors.items())
        raise click.ClickException(exc.message + (f" ({details})" if details else "")) from exc
    finally:
        directory.db.dispose()
    click.echo(f"已创建 / created: {user.username} ({', '.join(user.roles)})")


@directory.command("list-departments")
@click.option("--active/--all", "active_only", default=False,
              help="只列出在用单位 / only active departments (default: all)")
def list_departments(active_only: bool) -> None:
    """列出单位 / list departments."""
    db = _directory().db
    try:
        with db.read() as conn:
            found = store.list_departments(conn, active=True if active_only else None)
    finally:
        db.dispose()
    for d in found:
        flags = ("水电气热 " if d.utility else "") + ("" if d.active else "停用/inactive")
        click.echo(f"{d.code:<12} {d.kind.value:<9} {d.name} {flags}".rstrip())
