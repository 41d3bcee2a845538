"""Schemathesis over every service's OpenAPI document (DESIGN §7, STYLE "strict tools").

Each part of ``PARTS`` is served from one embedded suite with the demo data; schemathesis generates
requests from the part's own document, schema-valid (positive) and schema-invalid (negative), and every
answer must be no server error, a documented status code, and a body that matches the documented
schema. Examples are bounded and derandomized, so the run is reproducible and takes about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.control import SkipTest
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.embedded import Suite, create_suite
from gateway.registry import PARTS
from shared.auth import ADMIN, DISPATCHER, INSPECTOR, OPERATOR, Principal
from shared.settings import Settings

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 10  # per operation and mode: about a minute for the whole suite on two cores
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    suite = create_suite(Settings(data_dir=folder, background_workers=False,
                                  log_level="CRITICAL"))
    for name, part in PARTS.items():
        part.seed_demo(suite.contexts[name])
        suite.runtime.run_until_idle()  # the directory reaches the services before their demo data
    yield suite
    suite.close()


@pytest.fixture(scope="module")
def headers(suite: Suite) -> dict[str, str]:
    """A staff member holding every office role (department staff of zjj too), to reach every view."""
    principal = Principal("schemathesis", frozenset({OPERATOR, DISPATCHER, INSPECTOR, ADMIN}), frozenset({"zjj"}))
    return {"Authorization": f"Bearer {suite.tokens.issue(principal, now=datetime.now(UTC))}"}


def _failures(app: Any, service: str, mode: GenerationMode, headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_wsgi(f"/api/{service}/openapi.json", app)
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            exercise()
        except (SkipTest, Unsatisfiable):  # nothing to break in this mode (no parameters, or any string fits)
            continue
        except Exception as failure:
            found.append(f"{operation.label} ({mode.value}): {failure}"[:2000])
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("service", list(PARTS))
def test_every_answer_is_documented_schema_valid_and_no_server_error(suite, headers, service, mode):
    failures = _failures(suite.apps[service], service, mode, headers)

    assert not failures, "\n\n".join(failures)
