"""Alembic per service: each service keeps its own ``migrations/`` folder, run through these helpers."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config

from shared.db import create_engine
from shared.files import private_dir
from shared.settings import Settings
from shared.tables import add_common_tables


def alembic_config(package: str, url: str) -> Config:
    """Alembic config for ``package`` (e.g. ``services.hotline``) against ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", f"{package}:migrations")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(package: str, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(package, url), revision)


def migrate_service(package: str, service: str, settings: Settings) -> None:
    """Bring ``service``'s database (migrations in ``package``) to the newest schema."""
    if settings.embedded:
        private_dir(settings.data_dir)  # SQLite files live there
    upgrade(package, settings.database_url_for(service))


def run_migrations(target_metadata: sa.MetaData) -> None:
    """Body of every service's ``migrations/env.py`` (online mode only: we always have a database)."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=engine.dialect.name == "sqlite", compare_type=True)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
    finally:
        engine.dispose()


def create_common_tables(op: Any) -> None:
    """Initial revision helper: outbox, inbox, audit and idempotency tables (version 1 of them).

    A later change to these tables gets its own helper and a new revision in every service.
    """
    metadata = sa.MetaData()
    tables = add_common_tables(metadata)
    bind = op.get_bind()
    metadata.create_all(bind, tables=list(tables.values()))
    op.execute(tables["audit_head"].insert().values(id=1, seq=0, hash="0" * 64))


def drop_common_tables(op: Any) -> None:
    for name in ("idempotency_keys", "audit_head", "audit_log", "inbox", "outbox"):
        op.drop_table(name)
