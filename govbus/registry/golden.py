"""Writing people: their records (xref), every value each agency holds (provenance), the golden record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, and_, bindparam, delete, insert, select, tuple_, update

from govbus.registry.survivorship import DOMAINS, Observation, golden_record
from govbus.registry.tables import person, person_attribute, person_xref

_CHUNK = 500


def write_people(
    connection: Connection,
    records: pd.DataFrame,
    members: Mapping[str, list[str]],
    authority: Mapping[str, set[str]],
    now: datetime,
) -> dict[str, dict]:
    """Rewrite the provenance and golden record of each person in ``members`` (id -> unique_ids).

    ``records`` is the standardised frame indexed by ``unique_id`` with ``observed_at``.
    Returns each person's golden record, conflicts and sources, for the events.
    """
    ids = list(members)
    for chunk in _chunks(ids):
        connection.execute(delete(person_attribute).where(person_attribute.c.person_id.in_(chunk)))
    # Read each record once, not once per person: pandas lookups per person cost more than the linkage.
    wanted = records[records.index.isin({uid for uids in members.values() for uid in uids})]
    held = _held(wanted)
    attributes: list[dict] = []
    goldens: list[dict] = []
    summaries: dict[str, dict] = {}
    for pid, uids in members.items():
        observations = [o for uid in uids for o in held[uid][1]]
        attributes += [{"person_id": pid, "attribute": o.attribute, "value": o.value, "source": o.source,
                        "record_id": o.record_id, "observed_at": o.observed_at} for o in observations]
        golden, conflicts = golden_record(observations, authority)
        goldens.append({"pid": pid, "new_golden": golden, "new_conflicts": conflicts})
        summaries[pid] = {"golden": golden, "conflicts": conflicts, "sources": sorted({held[uid][0] for uid in uids}),
                          "record_count": len(uids)}
    for chunk in _chunks(attributes):
        connection.execute(insert(person_attribute), chunk)
    if goldens:
        connection.execute(
            update(person).where(person.c.person_id == bindparam("pid"))
            .values(golden=bindparam("new_golden"), conflicts=bindparam("new_conflicts"), updated_at=now),
            goldens,
        )
    return summaries


def link_records(
    connection: Connection, links: Iterable[tuple[str, str, str, float | None]], model_version: str, now: datetime
) -> None:
    """Point each ``(source, record_id)`` at its person, replacing any earlier link."""
    rows = [{"source": s, "record_id": r, "person_id": p, "match_probability": m, "model_version": model_version,
             "linked_at": now} for s, r, p, m in links]
    for chunk in _chunks(rows):
        keys = [(row["source"], row["record_id"]) for row in chunk]
        connection.execute(delete(person_xref).where(tuple_(person_xref.c.source, person_xref.c.record_id).in_(keys)))
        connection.execute(insert(person_xref), chunk)


def create_people(connection: Connection, ids: list[str], now: datetime) -> None:
    if ids:
        connection.execute(insert(person), [{"person_id": p, "created_at": now, "updated_at": now} for p in ids])


def retire(connection: Connection, merges: Mapping[str, list[str]], now: datetime) -> None:
    """Retired ids stay, pointing at the person they were merged into: old references still resolve."""
    for kept, retired in merges.items():
        connection.execute(
            update(person).where(and_(person.c.person_id.in_(retired))).values(merged_into=kept, retired_at=now, updated_at=now)
        )


def provenance(connection: Connection, pid: str) -> list[dict]:
    query = select(person_attribute).where(person_attribute.c.person_id == pid).order_by(
        person_attribute.c.attribute, person_attribute.c.source, person_attribute.c.record_id)
    return [dict(row) for row in connection.execute(query).mappings()]


def _held(rows: pd.DataFrame) -> dict[str, tuple[str, list[Observation]]]:
    """Each record's source and its observations, by ``unique_id``."""
    attributes = [a for a in DOMAINS if a in rows.columns]
    frame = rows[["source", "record_id", "observed_at", *attributes]]
    frame = frame.astype(object).where(frame.notna(), None)
    held = {}
    for uid, source, record_id, observed, *values in frame.itertuples(name=None):
        observed = None if observed is None else pd.Timestamp(observed).to_pydatetime()
        held[uid] = (str(source), [Observation(a, str(v), str(source), str(record_id), observed)
                                   for a, v in zip(attributes, values) if v is not None])
    return held


def _chunks(items: list) -> Iterable[list]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def person_detail(connection: Connection, pid: str) -> dict | None:
    """A person's golden record, records and provenance; a retired id leads to its survivor."""
    row = connection.execute(select(person).where(person.c.person_id == pid)).mappings().first()
    if row is None:
        return None
    if row["merged_into"]:
        survivor = person_detail(connection, row["merged_into"])
        return survivor and {**survivor, "asked_for": pid}
    records = connection.execute(select(person_xref.c.source, person_xref.c.record_id, person_xref.c.match_probability)
                                 .where(person_xref.c.person_id == pid).order_by(person_xref.c.source, person_xref.c.record_id))
    return {
        "person_id": pid, "created_at": row["created_at"].isoformat(), "golden": row["golden"] or {},
        "conflicts": row["conflicts"] or {}, "records": [dict(r) for r in records.mappings()],
        "provenance": [{**p, "observed_at": p["observed_at"] and p["observed_at"].isoformat()} for p in provenance(connection, pid)],
    }
