"""How a scan reaches the registry from the agency database: directly, or through copies.

The measures are one join in the agency database. A holding beside the registry (the store's
SQLite file or PostgreSQL database) joins the registry's tables themselves; a holding anywhere
else (the agency's own server, another kind of database) joins temporary copies of the links
for its source and those people's golden records, made for the scan and dropped after it. Such a
holding can be measured, though not replaced by a view (see ``registry_prefix``).
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, select

from govbus.errors import ConfigurationError
from govbus.holdings.agency import registry_prefix
from govbus.holdings.catalogue import Holding
from govbus.registry.tables import person, person_xref
from govbus.store.engine import Store

_COPIES = ("person_xref", "person")


@contextmanager
def registry_tables(agency: Connection, holding: Holding, store: Store) -> Iterator[str]:
    """Yields how ``agency`` names the registry's tables (a schema prefix, or ``""`` for the copies)."""
    try:
        prefix = registry_prefix(holding, store)
    except ConfigurationError:
        prefix = None
    if prefix is not None:
        yield prefix
        return
    _copy_registry(agency, holding, store)
    try:
        yield ""
    finally:
        for name in _COPIES:
            agency.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def _copy_registry(agency: Connection, holding: Holding, store: Store) -> None:
    linked = select(person_xref.c.person_id).where(person_xref.c.source == holding.source)
    with store.begin() as registry:
        links = registry.execute(select(person_xref.c.source, person_xref.c.record_id, person_xref.c.person_id)
                                 .where(person_xref.c.source == holding.source)).all()
        people = registry.execute(select(person.c.person_id, person.c.golden).where(person.c.person_id.in_(linked))).all()
    postgres = agency.dialect.name == "postgresql"
    # Temporary tables live in the session's own schema, ahead of the agency's tables of the same name.
    agency.exec_driver_sql("CREATE TEMPORARY TABLE person_xref (source TEXT, record_id TEXT, person_id TEXT, "
                           "PRIMARY KEY (source, record_id))")
    agency.exec_driver_sql(f"CREATE TEMPORARY TABLE person (person_id TEXT PRIMARY KEY, golden {'JSONB' if postgres else 'TEXT'})")
    marker = "%s" if postgres else "?"
    if links:
        agency.exec_driver_sql(f"INSERT INTO person_xref VALUES ({marker}, {marker}, {marker})", [tuple(row) for row in links])
    if people:
        golden = "CAST(%s AS JSONB)" if postgres else "?"
        agency.exec_driver_sql(f"INSERT INTO person VALUES ({marker}, {golden})",
                               [(person_id, None if golden is None else json.dumps(golden)) for person_id, golden in people])
