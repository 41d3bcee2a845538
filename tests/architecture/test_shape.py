"""The shape every service keeps: a pure domain, no import cycles in shared/, wiring only in the registry."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.registry import PARTS

ROOT = Path(__file__).resolve().parents[2]
WEB_AND_STORAGE = ("flask", "werkzeug", "sqlalchemy", "pika", "flask_smorest", "marshmallow", "alembic", "psycopg")
DOMAIN_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for pattern in ("services/*/model.py", "services/*/*_model.py", "services/*/rules.py", "gateway/model.py",
                    "gateway/rules.py")
    for path in ROOT.glob(pattern))
PURE_SHARED = ["shared.events", "shared.events.catalogue", "shared.errors", "shared.roles", "shared.domain",
               "shared.periods", "shared.jsonutil"]


@pytest.mark.parametrize("module", DOMAIN_MODULES + PURE_SHARED)
def test_importing_a_domain_module_loads_no_web_or_storage_library(module: str) -> None:
    """A fresh interpreter imports the module and finds none of Flask, Werkzeug, SQLAlchemy or pika loaded."""
    code = (f"import sys, json, {module}; "
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(WEB_AND_STORAGE)!r}))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(result.stdout) == [], f"{module} loads {result.stdout.strip()}"


def test_every_part_has_a_pure_domain_model() -> None:
    for name, part in PARTS.items():
        assert f"{part.package}.model" in DOMAIN_MODULES, f"{name} has no model.py"


def _imports(path: Path, package: str) -> set[str]:
    """First-party modules ``path`` imports, wherever the import stands, except under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
               and "TYPE_CHECKING" in ast.unparse(block.test) for node in ast.walk(block)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == package}


def _module_graph(package: str) -> dict[str, set[str]]:
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in (ROOT / package).rglob("*.py")}
    return {name: {m for m in _imports(path, package) if m in modules and m != name}
            for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_shared_has_no_import_cycle() -> None:
    assert _cycles(_module_graph("shared")) == []


WIRING = ["gateway/embedded.py", "gateway/cli.py", "gateway/local.py", "gateway/wsgi.py", "gateway/worker.py"]


@pytest.mark.parametrize("path", WIRING)
def test_no_wiring_file_names_a_service(path: str) -> None:
    """Entry points loop over PARTS; only gateway/registry.py lists the services."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not {m for m in imported if m.startswith("services")}, f"{path} imports a service"
    names = {part for part in PARTS if part != "gateway"}
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not names & strings, f"{path} names {names & strings}"


def test_no_use_case_publishes_an_event_by_hand() -> None:
    """Aggregates record typed events and the unit of work collects them; nobody calls ``uow.publish``."""
    offenders = [str(path.relative_to(ROOT)) for folder in ("services", "gateway")
                 for path in (ROOT / folder).rglob("*.py") if "uow.publish(" in path.read_text(encoding="utf-8")]
    assert offenders == []


def test_log_calls_are_structured_events_not_format_strings() -> None:
    """``log.info("event name", extra={...})``: no %-arguments, so every fact is a JSON field."""
    offenders = []
    for folder in ("shared", "services", "gateway"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "log"
                        and node.func.attr in {"debug", "info", "warning", "error", "exception"}
                        and len(node.args) > 1):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
