"""The agencies' person records as landed in the store, standardised for linking, and as the registry
keeps those it has linked.

Each person-bearing subject lands in its own table whose columns are the schema's fields, the
same names the source mappings (``reconcile/sources.yaml``) read, plus the landing metadata.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import Connection, DateTime, FromClause, Select, TableClause, Text, and_, cast, column, exists, inspect, or_, select, table

from govbus.errors import ConfigurationError
from govbus.land.tables import landed_table, landed_table_name
from govbus.project import Project
from govbus.reconcile.mapping import SourceMappings, standardise, with_derived_columns
from govbus.registry.survivorship import DOMAINS
from govbus.registry.tables import person_xref
from govbus.store.engine import Store
from govbus.synthetic.events import event_records

# Subject -> the source mapping its records follow.
PERSON_SUBJECTS: dict[str, str] = {
    "population.person.registered": "population",
    "tax.taxpayer.registered": "tax",
    "social.person.insured": "social",
    "municipality.resident.registered": "municipality",
    "post.address.change_notified": "post",
    # The embassy's application names the applicant as the passport does: the Migration Board's source.
    "embassy.visa.application_received": "migration",
}


def landed_person_tables(project: Project, connection: Connection) -> list[tuple[str, str]]:
    """(source, landed table) for each person-bearing topic of ``project`` that has landed anything."""
    present = set(inspect(connection).get_table_names())
    found = [(PERSON_SUBJECTS.get(topic.subject), landed_table_name(topic.name)) for topic in project.topics.values()]
    return [(source, name) for source, name in found if source is not None and name in present]


def landed_sources(project: Project, store: Store, mappings: SourceMappings, *, unlinked_only: bool = False) -> dict[str, pd.DataFrame]:
    """Each source's landed records: the columns its mapping reads, and when each event occurred.

    Only those columns are read: a landed table also holds every other field and the landing
    metadata, which linking never looks at. With ``unlinked_only``, only records the registry has
    not linked yet: the database leaves out the others (an anti-join on ``person_xref``).
    """
    frames: dict[str, pd.DataFrame] = {}
    with store.begin() as connection:
        for source, name in landed_person_tables(project, connection):
            mapping = mappings.source(source)
            # A mapped column the table lacks is left out here, so that ``standardise`` names it.
            nullable = {c["name"]: c["nullable"] for c in inspect(connection).get_columns(name) if c["name"] in mapping.read_columns}
            held = sorted(nullable)
            landed = table(name, *(column(c) for c in held), column("_occurred_at", DateTime(timezone=True)))
            query = select(*landed.c)
            if unlinked_only and mapping.record_id in held:  # without it, ``standardise`` names the missing column
                ids = landed.c[mapping.record_id]
                unlinked = ids.in_(_unlinked_ids(landed, source, mapping.record_id))
                # A record without an id is read too, for ``standardise`` to refuse it rather than
                # leave it out; asked only where one can be, as the OR makes SQLite read every row.
                query = query.where(or_(unlinked, ids.is_(None)) if nullable[mapping.record_id] else unlinked)
            rows = _frame(connection.execute(query))
            if rows.empty:
                continue
            frames[source] = pd.concat([frames[source], rows]) if source in frames else rows
    return frames


def _unlinked_ids(landed: TableClause, source: str, record_id: str) -> Select:
    """The ids of ``landed``'s records that no xref row links, by an anti-join over the ids alone.

    SQLite then reads just the id's index, and the unlinked records' rows by it; an anti-join over
    the whole rows would read every landed row, a few seconds for a million, to keep a handful.
    """
    ids = landed.alias("landed_ids")
    return select(ids.c[record_id]).where(~exists().where(
        person_xref.c.source == source, person_xref.c.record_id == cast(ids.c[record_id], Text)))


def standard_records(project: Project, store: Store, mappings: SourceMappings, *, unlinked_only: bool = False) -> pd.DataFrame:
    """Every landed person record (only those not linked yet with ``unlinked_only``), standardised,
    with ``observed_at`` (the event's time)."""
    frames = landed_sources(project, store, mappings, unlinked_only=unlinked_only)
    if not frames:
        return pd.DataFrame()
    frame = standardise(frames, mappings)
    # Row for row, as ``standardise`` keeps the sources' rows in order, rather than joined on the ids.
    frame["observed_at"] = pd.to_datetime(pd.concat([f["_occurred_at"] for f in frames.values()], ignore_index=True), utc=True).array
    return frame


def linked_values(connection: Connection, mappings: SourceMappings, within: FromClause | None = None) -> pd.DataFrame:
    """Every record the registry has linked (those ``within`` names by ``source`` and ``record_id``),
    as ``standard_records`` gives it, from its xref row: the values standardised when it was linked,
    with its ``person_id`` and ``match_probability``.

    An incremental run takes the records it already knows from here instead of standardising
    them again; a standard column made of others that the row does not keep is derived again.
    """
    mapped = [c.name for c in mappings.standard_columns.values() if c.of is None]
    derived = [c.name for c in mappings.standard_columns.values() if c.of is not None and c.name in person_xref.c]
    unkept = [name for name in mapped if name not in DOMAINS]
    if unkept:
        raise ConfigurationError(
            f"standard column(s) {', '.join(unkept)} in the source mapping are not kept by the registry "
            f"(person_xref keeps {', '.join(DOMAINS)}), so linked records cannot be compared on them")
    kept = ["source", "record_id", "person_id", "match_probability", "observed_at", *mapped, *derived]
    query = select(*(person_xref.c[c] for c in kept))
    if within is not None:
        query = query.select_from(within.join(
            person_xref, and_(person_xref.c.source == within.c.source, person_xref.c.record_id == within.c.record_id)))
    frame = _frame(connection.execute(query))
    if frame.empty:
        return pd.DataFrame(columns=["unique_id", *kept])
    text = ["source", "record_id", "person_id", *mapped, *derived]
    frame = frame.astype({**dict.fromkeys(text, "string"), "match_probability": float})
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True)
    frame.insert(0, "unique_id", frame["source"] + ":" + frame["record_id"])
    return with_derived_columns(frame, mappings)


def _frame(result) -> pd.DataFrame:
    """A query's rows as a frame of plain objects, the caller choosing each column's type: built column
    by column (pandas turns a list of rows into a frame many times slower), and without pandas
    guessing each column's type from its values, which costs more than reading them."""
    names, rows = list(result.keys()), result.all()
    return pd.DataFrame(dict(zip(names, map(list, zip(*rows)))) if rows else {name: [] for name in names}, dtype=object)


def land_records(project: Project, store: Store, source: str, records: pd.DataFrame, occurred_at: datetime | None = None) -> int:
    """Write ``source``'s records into its landed table as the lander leaves them; returns how many.

    Seeds a store from the synthetic country without a broker (tests, benchmarks): the registry
    then reads them exactly as it reads what the landers wrote.
    """
    subject = next(s for s, name in PERSON_SUBJECTS.items() if name == source)
    topic = next(t for t in project.topics.values() if t.subject == subject)
    table = landed_table(store, topic, project.registry.get(subject))
    meta = {"_agency": source, "_occurred_at": occurred_at or datetime.now(timezone.utc), "_topic": topic.name}
    rows = [{**event, **meta} for event in event_records(source, records)]
    if rows:
        with store.begin() as connection:
            connection.execute(table.insert(), rows)
    return len(rows)
