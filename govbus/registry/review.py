"""The steward's review queue: pairs the model was unsure of, and the steward's decisions.

A decision sticks: the next run links an accepted pair whatever the model says, and never links
a rejected one.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, update

from govbus.registry import RegistryError
from govbus.registry.state import ACCEPTED, PENDING, REJECTED, linked_records
from govbus.registry.tables import review_pair
from govbus.store.engine import Store

DECISIONS = (ACCEPTED, REJECTED)


def review_pairs(store: Store, status: str | None = PENDING) -> list[dict]:
    """Queued pairs, most likely matches first; all of them when ``status`` is None."""
    query = select(review_pair).order_by(review_pair.c.match_probability.desc(), review_pair.c.pair_id)
    if status is not None:
        query = query.where(review_pair.c.status == status)
    with store.begin() as connection:
        return [_plain(row) for row in connection.execute(query).mappings()]


def review_pair_detail(store: Store, pair_id: int) -> dict:
    """One pair, with the person each side is linked to now."""
    with store.begin() as connection:
        row = connection.execute(select(review_pair).where(review_pair.c.pair_id == pair_id)).mappings().first()
        if row is None:
            raise RegistryError(f"no review pair {pair_id}")
        links = linked_records(connection)
    pair = _plain(row)
    pair["person_l"], pair["person_r"] = links.get(pair["unique_id_l"]), links.get(pair["unique_id_r"])
    return pair


def decide(store: Store, pair_id: int, decision: str, by: str, reason: str | None = None) -> dict:
    """Record a steward's decision; it takes effect at the next reconciliation run."""
    if decision not in DECISIONS:
        raise RegistryError(f"a decision is one of {', '.join(DECISIONS)}, not {decision!r}")
    with store.begin() as connection:
        done = connection.execute(
            update(review_pair).where(review_pair.c.pair_id == pair_id)
            .values(status=decision, decided_by=by, decided_at=datetime.now(timezone.utc), reason=reason)
        )
        if done.rowcount == 0:
            raise RegistryError(f"no review pair {pair_id}")
    return review_pair_detail(store, pair_id)


def _plain(row) -> dict:
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in dict(row).items()}
