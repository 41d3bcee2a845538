"""Databases, logs and secrets are created private: folders 0700, files 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared.db import Database
from shared.files import open_private_append
from shared.keys import keys_for
from shared.migrations import migrate_service
from shared.settings import Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """A umask that leaves new files world-readable, as many hosts have it."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_an_embedded_data_folder_its_databases_and_the_token_keys_are_private(tmp_path):
    settings = Settings(data_dir=tmp_path / "var" / "data")

    migrate_service("gateway", "gateway", settings)
    keys_for(settings, signing=True)
    db = Database(settings.database_url_for("gateway"), service="gateway", metadata=sa.MetaData())
    with db.engine.connect() as conn:  # WAL mode: the -wal and -shm files appear
        conn.exec_driver_sql("SELECT 1")
        files = sorted(settings.data_dir.iterdir())
        modes = {p.name: mode(p) for p in files}
    db.dispose()

    assert mode(tmp_path / "var") == 0o700 and mode(settings.data_dir) == 0o700
    assert {"gateway.db", "gateway.db-wal", "gateway.db-shm", "jwt-signing-key.pem",
            "jwt-public-keys.pem"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes


def test_a_log_of_a_local_process_is_created_private(tmp_path):
    path = tmp_path / "local" / "logs" / "hotline-web.log"

    os.close(open_private_append(path))

    assert mode(path) == 0o600 and mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700


def test_an_existing_key_pair_is_read_not_rewritten(tmp_path):
    settings = Settings(data_dir=tmp_path)
    first = keys_for(settings, signing=True).signing_kid

    assert keys_for(settings, signing=True).signing_kid == first
