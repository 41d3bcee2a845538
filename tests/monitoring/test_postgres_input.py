"""NUL and other control characters on PostgreSQL: a 422 envelope before the database sees them (it
would refuse NUL with a DataError, i.e. a 500). Skipped (loudly) without a server, failed in CI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from services.monitoring import create_app
from shared.auth import INSPECTOR, Principal, TokenService
from shared.bootstrap import Environment
from shared.calendar import WorkCalendar
from shared.clock import ManualClock
from shared.keys import KeyRing
from shared.migrations import upgrade
from shared.settings import DISTRIBUTED, Settings
from tests.envelope import assert_envelope
from tests.monitoring.moments import SHANGHAI

pytestmark = pytest.mark.integration

API = "/api/monitoring/v1"


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/cards", {"department": "zjj", "color": "yellow", "reason": "拒不说明\u0000理由的不予受理"}),
    ("post", "/cards", {"department": "zjj", "color": "yellow", "reason": "拒不说明\u0007理由的不予受理"}),
    ("get", "/clocks?subject_id=%00", None),
    ("get", "/cards?subject_id=ab%00cd", None),
    ("get", "/cards/ab%00cd", None),
    ("get", "/approvals/%00", None),
])
def test_control_characters_never_reach_postgresql(pg_url, method, path, body):
    upgrade("services.monitoring", pg_url)
    tokens = TokenService(KeyRing.generate())
    settings = Settings(mode=DISTRIBUTED, database_urls={"monitoring": pg_url})
    app = create_app(Environment(settings, ManualClock(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)), WorkCalendar()),
                     tokens=tokens, run_migrations=False)
    headers = {"Authorization": "Bearer " + tokens.issue(Principal("insp", frozenset({INSPECTOR})),
                                                         now=datetime.now(UTC))}
    db = app.extensions["duban.context"].db
    with db.engine.begin() as conn:  # zjj is in the directory: only the text can make the card fail
        conn.execute(sa.text("INSERT INTO departments (code, name, utility, active, updated_at) "
                             "VALUES ('zjj', '市住房和城乡建设局', false, true, now())"))
    try:
        client = app.test_client()
        response = (client.post(API + path, data=json.dumps(body), content_type="application/json", headers=headers)
                    if method == "post" else client.get(API + path, headers=headers))

        assert_envelope(response, 422)
        with db.read() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM cards")).scalar_one() == 0
    finally:
        db.dispose()
