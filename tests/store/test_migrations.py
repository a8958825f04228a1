"""The migrations build exactly the schema the code declares (tables.py), so `make run` and tests agree."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from warroom.store.tables import metadata


def test_migrated_sqlite_matches_the_declared_tables(sqlite_template: Path) -> None:
    engine = create_engine(f"sqlite:///{sqlite_template}")
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    # SQLite reflects no server-side type details worth comparing; tables, columns and indexes must match.
    relevant = [d for d in differences if d[0] in ("add_table", "remove_table", "add_column", "remove_column",
                                                    "add_index", "remove_index")]
    assert relevant == [], relevant
