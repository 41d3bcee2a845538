"""Every environment variable the code reads is named in shared.settings.ENVIRONMENT_VARIABLES, and
every named variable is documented for operators (README's configuration table or docs/deployment.md).

The scan is textual: ``os.environ.get("X")``, ``os.environ["X"]``, ``os.getenv("X")``,
``"X" in os.environ`` and ``env.get("X")`` / ``env["X"]`` (the mapping ``Settings.from_env`` reads).
A name built at run time is not seen; keep names literal.
"""

from __future__ import annotations

import re
from pathlib import Path

from shared.settings import ENVIRONMENT_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("shared", "gateway", "services")

_NAME = r"""["']([A-Z][A-Z0-9_]*)["']"""
_READS = [
    re.compile(rf"\bos\.environ\.(?:get|setdefault|pop)\(\s*{_NAME}"),
    re.compile(rf"\b(?:os\.)?getenv\(\s*{_NAME}"),
    re.compile(rf"\bos\.environ\[\s*{_NAME}\s*\](?!\s*=[^=])"),
    re.compile(rf"{_NAME}\s+(?:not\s+)?in\s+os\.environ\b"),
    re.compile(rf"\benv\.get\(\s*{_NAME}"),
    re.compile(rf"\benv\[\s*{_NAME}\s*\](?!\s*=[^=])"),
]

# Read only by the local launcher (gateway/local.py, `duban local up`) to lay out local processes;
# no deployed process reads them. They belong in ENVIRONMENT_VARIABLES (and README) once named there;
# then drop them from this list.
LAUNCHER_ONLY: dict[str, str] = {}  # every variable read is documented in ENVIRONMENT_VARIABLES


def environment_reads() -> dict[str, set[str]]:
    """Variable name → files reading it."""
    found: dict[str, set[str]] = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for pattern in _READS:
                for name in pattern.findall(text):
                    found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_scan_sees_the_known_reads() -> None:
    reads = environment_reads()
    for name in ("DUBAN_MODE", "DATABASE_URL", "DUBAN_JWT_PUBLIC_KEYS_FILE", "PROMETHEUS_MULTIPROC_DIR"):
        assert name in reads, f"the scan no longer finds {name}: update the patterns"
    # WSGI environ keys are not environment variables.
    assert "PATH_INFO" not in reads and "REMOTE_ADDR" not in reads


def test_every_variable_the_code_reads_is_named_in_settings() -> None:
    reads = environment_reads()
    unnamed = {name: sorted(files) for name, files in reads.items()
               if name not in ENVIRONMENT_VARIABLES and name not in LAUNCHER_ONLY}
    assert not unnamed, f"add these to shared.settings.ENVIRONMENT_VARIABLES: {unnamed}"


def test_every_named_variable_is_read_somewhere() -> None:
    stale = set(ENVIRONMENT_VARIABLES) - set(environment_reads())
    assert not stale, f"ENVIRONMENT_VARIABLES names variables no code reads: {sorted(stale)}"


def _readme_configuration_table() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0] if "## Configuration" in readme else ""
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", section, flags=re.MULTILINE))


def test_every_named_variable_is_documented() -> None:
    documented = _readme_configuration_table()
    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    documented |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", deployment))
    missing = set(ENVIRONMENT_VARIABLES) - documented
    assert not missing, f"document these in README.md's configuration table or docs/deployment.md: {sorted(missing)}"
