"""Writing people: their records (xref, with each record's values: the provenance) and the golden record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, and_, bindparam, delete, select, update

from govbus.reconcile.linkage import among
from govbus.registry.bulk import insert_frame
from govbus.heap import heap_set_aside
from govbus.registry.survivorship import DOMAINS, golden_records
from govbus.registry.tables import NAME_KEYS, person, person_xref
from govbus.store.bulk import indexes_built_after

LINK_COLUMNS = ["source", "record_id", "person_id", "match_probability"]
# What the xref keeps of each record besides its link: when it was observed, its values, and the
# name keys it is blocked on.
VALUE_COLUMNS = ["observed_at", *DOMAINS, *NAME_KEYS]


def write_people(
    connection: Connection, held: pd.DataFrame, authority: Mapping[str, set[str]], now: datetime, created: Iterable[str] = ()
) -> dict[str, dict]:
    """Write the golden record of each person in ``held`` (every record of theirs: ``person_id``,
    ``source``, ``record_id`` and ``VALUE_COLUMNS``). The ``created`` people are inserted, the others' rewritten.

    Returns each person's golden record, conflicts, sources and record count, for the events.
    """
    new = set(created)
    with heap_set_aside():
        decided = golden_records(held, authority)
        sources: dict[str, set[str]] = {}
        for pid, source in zip(held["person_id"].tolist(), held["source"].tolist()):
            sources.setdefault(pid, set()).add(source)
        counts = Counter(held["person_id"].tolist())
        summaries: dict[str, dict] = {}
        for pid, held_sources in sources.items():
            golden, conflicts = decided.get(pid, ({}, {}))
            summaries[pid] = {"golden": golden, "conflicts": conflicts, "sources": sorted(held_sources), "record_count": counts[pid]}
        people = pd.DataFrame([{"person_id": p, "created_at": now, "updated_at": now, "golden": s["golden"],
                                "conflicts": s["conflicts"]} for p, s in summaries.items() if p in new],
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


def link_records(connection: Connection, held: pd.DataFrame, linked: Collection[str], model_version: str, now: datetime,
                 *, values_read_again: bool) -> None:
    """Point each record in ``held`` (``unique_id``, ``LINK_COLUMNS`` and ``VALUE_COLUMNS``) at its person.

    A record in ``linked`` (linked before) whose values this run took from its row keeps the row:
    only its link changes, which leaves the indexes on its values alone. With ``values_read_again``
    (a full run, which standardised every record again), its row is replaced.
    """
    before = among(held["unique_id"], linked)
    relinked, new = held[before], held if values_read_again else held[~before]
    if not relinked.empty:
        # One statement per key, each an index probe: a list of row values is not looked up by the key on SQLite.
        keys = person_xref.c.source == bindparam("key_source"), person_xref.c.record_id == bindparam("key_record_id")
        rows = [{"key_source": source, "key_record_id": record, "new_person_id": pid, "new_probability": None if p != p else p}
                for source, record, pid, p in zip(relinked["source"].tolist(), relinked["record_id"].tolist(),
                                                  relinked["person_id"].tolist(), relinked["match_probability"].astype(float).tolist())]
        if values_read_again:
            connection.execute(delete(person_xref).where(*keys), rows)
        else:
            connection.execute(update(person_xref).where(*keys).values(
                person_id=bindparam("new_person_id"), match_probability=bindparam("new_probability"), model_version=model_version, linked_at=now), rows)
    columns = [*LINK_COLUMNS, *(c for c in VALUE_COLUMNS if c in held.columns)]
    with indexes_built_after(connection, person_xref, len(new)):
        insert_frame(connection, person_xref, new[columns].assign(model_version=model_version, linked_at=now))


def retire(connection: Connection, merges: Mapping[str, list[str]], now: datetime) -> None:
    """Retired ids stay, pointing at the person they were merged into: old references still resolve."""
    for kept, retired in merges.items():
        connection.execute(
            update(person).where(and_(person.c.person_id.in_(retired))).values(merged_into=kept, retired_at=now, updated_at=now)
        )


def provenance(connection: Connection, pid: str) -> list[dict]:
    """Every value each agency record of the person holds: attribute, value, source, record and when."""
    rows = connection.execute(select(person_xref.c.source, person_xref.c.record_id, *(person_xref.c[c] for c in VALUE_COLUMNS))
                              .where(person_xref.c.person_id == pid)).mappings().all()
    found = [{"person_id": pid, "attribute": attribute, "value": row[attribute], "source": row["source"],
              "record_id": row["record_id"], "observed_at": row["observed_at"]}
             for row in rows for attribute in DOMAINS if row[attribute] is not None]
    return sorted(found, key=lambda p: (p["attribute"], p["source"], p["record_id"]))


def owners(members: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """``unique_id`` -> ``person_id`` for every record of ``members`` (person id -> unique_ids)."""
    return pd.DataFrame([(uid, pid) for pid, uids in members.items() for uid in uids], columns=["unique_id", "person_id"])


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
