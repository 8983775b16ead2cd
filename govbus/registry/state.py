"""What the registry already knows: who each record is, the next free id, the steward's decisions."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, func, select

from govbus.registry.ids import person_id, sequence_of
from govbus.registry.tables import person, person_xref, review_pair

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
# Keys per IN list: well under the bound parameters SQLite and PostgreSQL take in one statement.
_LOOKED_UP_AT_ONCE = 10_000


def unique_id(source: str, record_id: str) -> str:
    return f"{source}:{record_id}"


def linked_records(connection: Connection) -> dict[str, str]:
    """``unique_id`` -> person id of every record the registry has linked."""
    rows = connection.execute(select(person_xref.c.source, person_xref.c.record_id, person_xref.c.person_id))
    return {unique_id(source, record): person for source, record, person in rows}


def id_sequence(connection: Connection):
    """A callable handing out person ids after the highest ever issued (retired ones included)."""
    highest = connection.execute(select(func.max(person.c.person_id))).scalar()
    counter = [sequence_of(highest) if highest else 0]

    def next_id() -> str:
        counter[0] += 1
        return person_id(counter[0])

    return next_id


def decided_pairs(connection: Connection) -> tuple[pd.DataFrame, set[frozenset[str]]]:
    """Pairs a steward accepted (as certain links) and the pairs they rejected."""
    rows = connection.execute(select(review_pair.c.unique_id_l, review_pair.c.unique_id_r, review_pair.c.status)
                              .where(review_pair.c.status.in_((ACCEPTED, REJECTED)))).all()
    accepted = [(l, r, 1.0) for l, r, status in rows if status == ACCEPTED]
    rejected = {frozenset((l, r)) for l, r, status in rows if status == REJECTED}
    return pd.DataFrame(accepted, columns=["unique_id_l", "unique_id_r", "match_probability"]), rejected


def queue_for_review(connection: Connection, pairs: pd.DataFrame, now: datetime) -> int:
    """Add uncertain pairs not yet in the queue; a pair already there keeps its status."""
    found = [(*sorted((str(left), str(right))), probability)
             for left, right, probability in pairs[["unique_id_l", "unique_id_r", "match_probability"]].itertuples(index=False)]
    # Only the queued pairs these could be are read: the queue grows with every run.
    lefts = sorted({left for left, _, _ in found})
    known = {frozenset(pair) for start in range(0, len(lefts), _LOOKED_UP_AT_ONCE) for pair in connection.execute(
        select(review_pair.c.unique_id_l, review_pair.c.unique_id_r)
        .where(review_pair.c.unique_id_l.in_(lefts[start:start + _LOOKED_UP_AT_ONCE])))}
    rows = []
    for left, right, probability in found:
        if frozenset((left, right)) in known:
            continue
        known.add(frozenset((left, right)))
        rows.append({"unique_id_l": left, "unique_id_r": right, "match_probability": float(probability),
                     "status": PENDING, "found_at": now})
    if rows:
        connection.execute(review_pair.insert(), rows)
    return len(rows)
