"""The agencies' person records as landed in the store, standardised for linking.

Each person-bearing subject lands in its own table whose columns are the schema's fields, the
same names the source mappings (``reconcile/sources.yaml``) read, plus the landing metadata.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import DateTime, column, inspect, select, table

from govbus.land.tables import landed_table, landed_table_name
from govbus.project import Project
from govbus.reconcile.mapping import SourceMappings, standardise
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


def landed_sources(project: Project, store: Store, mappings: SourceMappings) -> dict[str, pd.DataFrame]:
    """Each source's landed records: the columns its mapping reads, and when each event occurred.

    Only those columns are read: a landed table also holds every other field and the landing
    metadata, which linking never looks at.
    """
    frames: dict[str, pd.DataFrame] = {}
    with store.begin() as connection:
        present = set(inspect(connection).get_table_names())
        for topic in project.topics.values():
            source = PERSON_SUBJECTS.get(topic.subject)
            name = landed_table_name(topic.name)
            if source is None or name not in present:
                continue
            mapping = mappings.source(source)
            wanted = {mapping.record_id} | {c.column for c in mapping.columns.values()}
            # A mapped column the table lacks is left out here, so that ``standardise`` names it.
            held = sorted(c["name"] for c in inspect(connection).get_columns(name) if c["name"] in wanted)
            columns = [column(c) for c in held] + [column("_occurred_at", DateTime(timezone=True))]
            result = connection.execute(select(*columns).select_from(table(name)))
            names, rows = list(result.keys()), result.all()
            # Built column by column: pandas turns a list of rows into a frame many times slower.
            rows = pd.DataFrame(dict(zip(names, map(list, zip(*rows)))) if rows else {name: [] for name in names})
            if rows.empty:
                continue
            frames[source] = pd.concat([frames[source], rows]) if source in frames else rows
    return frames


def standard_records(project: Project, store: Store, mappings: SourceMappings) -> pd.DataFrame:
    """Every landed person record, standardised, with ``observed_at`` (the event's time)."""
    frames = landed_sources(project, store, mappings)
    if not frames:
        return pd.DataFrame()
    frame = standardise(frames, mappings)
    times = pd.concat(
        [pd.DataFrame({"unique_id": name + ":" + f[mappings.source(name).record_id].astype("string"),
                       "observed_at": f["_occurred_at"]}) for name, f in frames.items()]
    )
    return frame.merge(times.drop_duplicates("unique_id"), on="unique_id", how="left")


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
