from shared.migrations import run_migrations
from tests.parts.echo.store import metadata

run_migrations(metadata)
