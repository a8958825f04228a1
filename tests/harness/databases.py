"""Test databases: a fresh migrated SQLite file per test, or a truncated PostgreSQL database."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text

from warroom.store.database import normalize_url
from warroom.store.migrate import upgrade
from warroom.store.tables import metadata

POSTGRES_ENV = "WARROOM_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def reset_postgres_schema(url: str) -> None:
    """Drop everything and migrate from scratch (once per test session)."""
    engine = create_engine(normalize_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


def truncate_postgres(url: str) -> None:
    engine = create_engine(normalize_url(url))
    names = ", ".join(table.name for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def migrated_sqlite_template(directory: Path) -> Path:
    template = directory / "template.db"
    upgrade(f"sqlite:///{template}")
    return template


def fresh_sqlite(template: Path, directory: Path) -> str:
    target = directory / "warroom.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"
