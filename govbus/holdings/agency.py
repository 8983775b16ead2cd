"""What an agency database can tell about a holding: its table, its last access, what the registry is to it.

The replacement view is created in the agency database and reads the registry's tables, so the
registry must be reachable from there: the same SQLite file as the store, or the same PostgreSQL
database (any schema; the view names the store's schema).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, MetaData, Table, inspect, text
from sqlalchemy.engine import make_url

from govbus.errors import ConfigurationError
from govbus.holdings.catalogue import Holding
from govbus.store.engine import Store


@dataclass(frozen=True)
class LastAccess:
    at: datetime | None
    known: bool
    note: str


def table_state(connection: Connection, name: str) -> str:
    """``table``, ``view`` (already replaced) or ``absent``."""
    inspector = inspect(connection)
    # Views first: ``has_table`` answers yes for a view too.
    if name in inspector.get_view_names():
        return "view"
    return "table" if inspector.has_table(name) else "absent"


def reflect(connection: Connection, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=connection)


def last_access(connection: Connection, name: str) -> LastAccess:
    """The newest scan of the table where the database records one (PostgreSQL 16 and later)."""
    if connection.dialect.name != "postgresql":
        return LastAccess(None, False, f"unknown: {connection.dialect.name} does not record table access")
    stats = connection.execute(
        text("SELECT * FROM pg_stat_user_tables WHERE relname = :name AND schemaname = current_schema()"), {"name": name}
    ).mappings().first()
    if stats is None:
        return LastAccess(None, False, "unknown: no statistics for the table yet")
    if "last_seq_scan" not in stats:
        return LastAccess(None, False, f"unknown: this PostgreSQL keeps only scan counts ({stats['seq_scan']} sequential, "
                                       f"{stats['idx_scan'] or 0} by index since its statistics were reset)")
    times = [t for t in (stats["last_seq_scan"], stats["last_idx_scan"]) if t is not None]
    return LastAccess(max(times) if times else None, True, "from pg_stat_user_tables" if times else "never read since the statistics were reset")


def registry_prefix(holding: Holding, store: Store) -> str:
    """How the agency database names the registry's tables: ``""`` or ``"schema".``.

    Raises ``ConfigurationError`` when the agency database cannot reach the registry at all.
    """
    agency, registry = make_url(holding.url(store)), make_url(store.url)
    if agency.get_backend_name() != registry.get_backend_name():
        raise _unreachable(holding, store, "they are different kinds of database")
    if agency.get_backend_name() == "sqlite":
        if agency.database != registry.database:
            raise _unreachable(holding, store, "a SQLite view can only read tables of its own file")
        return ""
    if (agency.host, agency.port, agency.database) != (registry.host, registry.port, registry.database):
        raise _unreachable(holding, store, "they are different PostgreSQL databases")
    with store.begin() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    return f'"{schema}".'


def _unreachable(holding: Holding, store: Store, why: str) -> ConfigurationError:
    return ConfigurationError(
        f"holding {holding.name}: its database ({holding.shown_url(store)}) cannot reach the registry "
        f"({store}) for the replacement view: {why}; keep the holding in the store's database or set {holding.url_env}"
    )
