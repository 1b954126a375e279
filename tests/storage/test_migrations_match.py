"""The migrations build exactly the schema ``tables.py`` declares (a change there needs a revision)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms_bridge.storage.store import SqlRouteStore
from lms_bridge.storage.tables import metadata


def test_migrations_and_tables_agree(store: SqlRouteStore) -> None:
    with store.engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), metadata) == []
