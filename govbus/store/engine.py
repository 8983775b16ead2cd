"""One cached engine per store URL; connections are opened inside a context manager."""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError

from govbus.errors import RetriableError
from govbus.store.settings import StoreSettings, masked

MIGRATIONS = Path(__file__).parent / "migrations"


@lru_cache(maxsize=16)
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers (the CLI, reports) work while landing writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Store:
    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def for_project(cls, project, settings: StoreSettings | None = None) -> "Store":
        return cls((settings or StoreSettings()).resolved_url(project.state_dir))

    @property
    def engine(self) -> Engine:
        return _engine(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __str__(self) -> str:
        return masked(self.url)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            raise RetriableError(f"store {self} is unavailable: {exc.orig}") from exc

    def migrate(self) -> None:
        """Bring every area's tables to its newest revision (``alembic upgrade heads``).

        A store already at the newest revisions is left alone after one look at its version table:
        a full upgrade run costs about half a second even when there is nothing to do.
        """
        from alembic import command
        from alembic.migration import MigrationContext

        with self.begin() as connection:
            if set(MigrationContext.configure(connection).get_current_heads()) == _script_heads():
                return
        with self.begin() as connection:
            # Landers and DAG tasks may migrate at once: the second waits for the first to commit.
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('govbus.store.migrate'))")
            elif connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            config = alembic_config(connection)
            command.upgrade(config, "heads")


@lru_cache(maxsize=1)
def _script_heads() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    locations = sorted(str(p) for p in (MIGRATIONS / "versions").iterdir() if p.is_dir() and not p.name.startswith("_"))
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    config.attributes["connection"] = connection
    return config
