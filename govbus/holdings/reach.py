"""How a scan reaches the registry from the agency database: directly, or through copies.

The measures are one join in the agency database. A holding beside the registry (the store's
SQLite file or PostgreSQL database) joins the registry's tables themselves; a holding anywhere
else (the agency's own server, another kind of database) joins temporary copies of the links
for its source and those people's golden records, made for the scan and dropped after it. Such a
holding can be measured, though not replaced by a view (see ``registry_prefix``).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Column, Connection, MetaData, Table, Text, insert, select

from govbus.errors import ConfigurationError
from govbus.holdings.agency import registry_prefix
from govbus.holdings.catalogue import Holding
from govbus.registry.tables import GOLDEN_DOCUMENT, person, person_xref
from govbus.store.engine import Store

# Copies for a holding the registry cannot reach; temporary tables live in the session's own schema,
# ahead of the agency's tables of the same name.
_copies = MetaData()
_LINKS = Table("person_xref", _copies, Column("source", Text, primary_key=True), Column("record_id", Text, primary_key=True),
               Column("person_id", Text), prefixes=["TEMPORARY"])
_PEOPLE = Table("person", _copies, Column("person_id", Text, primary_key=True),
                Column("golden", GOLDEN_DOCUMENT), prefixes=["TEMPORARY"])


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
        for copy in (_LINKS, _PEOPLE):
            copy.drop(agency)


def _copy_registry(agency: Connection, holding: Holding, store: Store) -> None:
    linked = select(person_xref.c.person_id).where(person_xref.c.source == holding.source)
    with store.begin() as registry:
        links = registry.execute(select(person_xref.c.source, person_xref.c.record_id, person_xref.c.person_id)
                                 .where(person_xref.c.source == holding.source)).mappings().all()
        people = registry.execute(select(person.c.person_id, person.c.golden).where(person.c.person_id.in_(linked))).mappings().all()
    for copy, rows in ((_LINKS, links), (_PEOPLE, people)):
        copy.create(agency)
        if rows:
            agency.execute(insert(copy), rows)

