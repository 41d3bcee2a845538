"""Alembic environment of the gateway database."""

from gateway.store import metadata
from shared.migrations import run_migrations

run_migrations(metadata)
