"""Writing people: their records (xref), every value each agency holds (provenance), the golden record."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, and_, bindparam, delete, select, tuple_, update

from govbus.reconcile.linkage import among
from govbus.registry.bulk import insert_frame
from govbus.registry.survivorship import DOMAINS, OBSERVATION_COLUMNS, golden_records
from govbus.registry.tables import person, person_attribute, person_xref

_CHUNK = 500
LINK_COLUMNS = ["source", "record_id", "person_id", "match_probability"]


def write_people(
    connection: Connection,
    records: pd.DataFrame,
    members: Mapping[str, list[str]],
    authority: Mapping[str, set[str]],
    now: datetime,
    created: Iterable[str] = (),
) -> dict[str, dict]:
    """Write the provenance and golden record of each person in ``members`` (id -> unique_ids).

    ``records`` is the standardised frame with ``unique_id`` and ``observed_at``. The ``created``
    people are inserted with their golden record; the others' are rewritten.
    Returns each person's golden record, conflicts and sources, for the events.
    """
    ids = list(members)
    new = set(created)
    # A person created in this run has no provenance to replace yet.
    for chunk in _chunks([p for p in ids if p not in new]):
        connection.execute(delete(person_attribute).where(person_attribute.c.person_id.in_(chunk)))
    held = owners(members).merge(records, on="unique_id", how="left")
    observations = _observations(held)
    insert_frame(connection, person_attribute, observations)
    decided = golden_records(observations, authority)
    sources: dict[str, set[str]] = {}
    for pid, source in zip(held["person_id"].tolist(), held["source"].tolist()):
        sources.setdefault(pid, set()).add(source)
    summaries: dict[str, dict] = {}
    for pid, uids in members.items():
        golden, conflicts = decided.get(pid, ({}, {}))
        summaries[pid] = {"golden": golden, "conflicts": conflicts, "sources": sorted(sources.get(pid, [])),
                          "record_count": len(uids)}
    people = pd.DataFrame([{"person_id": p, "created_at": now, "updated_at": now, "golden": summaries[p]["golden"],
                            "conflicts": summaries[p]["conflicts"]} for p in ids if p in new],
                          columns=["person_id", "created_at", "updated_at", "golden", "conflicts"])
    insert_frame(connection, person, people)
    rewritten = [{"pid": p, "new_golden": s["golden"], "new_conflicts": s["conflicts"]} for p, s in summaries.items() if p not in new]
    if rewritten:
        connection.execute(
            update(person).where(person.c.person_id == bindparam("pid"))
            .values(golden=bindparam("new_golden"), conflicts=bindparam("new_conflicts"), updated_at=now),
            rewritten,
        )
    return summaries


def link_records(connection: Connection, links: pd.DataFrame, linked: Collection[str], model_version: str, now: datetime) -> None:
    """Point each record in ``links`` (``LINK_COLUMNS`` and ``unique_id``) at its person, replacing
    the earlier link of those in ``linked`` (the ``unique_id`` of every record linked before)."""
    relinked = links[among(links["unique_id"], linked)]
    keys = list(zip(relinked["source"].tolist(), relinked["record_id"].tolist()))
    for chunk in _chunks(keys):
        connection.execute(delete(person_xref).where(tuple_(person_xref.c.source, person_xref.c.record_id).in_(chunk)))
    insert_frame(connection, person_xref, links[LINK_COLUMNS].assign(model_version=model_version, linked_at=now))


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


def owners(members: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """``unique_id`` -> ``person_id`` for every record of ``members`` (person id -> unique_ids)."""
    return pd.DataFrame([(uid, pid) for pid, uids in members.items() for uid in uids], columns=["unique_id", "person_id"])


def _observations(held: pd.DataFrame) -> pd.DataFrame:
    """One row per value a person's records hold (``OBSERVATION_COLUMNS``), from records joined to their person."""
    attributes = [a for a in DOMAINS if a in held.columns]
    long = held.melt(id_vars=["person_id", "source", "record_id", "observed_at"], value_vars=attributes,
                     var_name="attribute", value_name="value")
    return long[long["value"].notna()][OBSERVATION_COLUMNS].reset_index(drop=True)


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
