"""Staleness, counted set by set, against its definition: a copy is stale when an authority for the
attribute observed a different value for the same person after the copy was taken."""

from __future__ import annotations

import random
from datetime import timedelta

from conftest import T0
from sqlalchemy import insert

from govbus.holdings.catalogue import load_catalogue
from govbus.holdings.measures import staleness
from govbus.registry.tables import person_xref

AUTHORITY = {"address": {"population", "census"}, "identity": {"population"}}


def link(source: str, record: str, person: str, street: str | None, hours: int | None) -> dict:
    return {"source": source, "record_id": record, "person_id": person, "model_version": "test", "linked_at": T0,
            "street": street, "observed_at": None if hours is None else T0 + timedelta(hours=hours)}


def counted(store, holding, links: list[dict]) -> tuple[int, int]:
    with store.begin() as connection:
        connection.execute(insert(person_xref), links)
        return staleness(connection, holding, AUTHORITY)


def test_each_edge_of_the_definition(holdings_project, fresh_store):
    holding = load_catalogue(holdings_project).holding("tax_taxpayer_address")
    links = [
        link("tax", "t1", "p1", "a", 0), link("population", "r1", "p1", "b", 1),  # changed later: stale
        link("tax", "t2", "p2", "a", 0), link("population", "r2", "p2", "a", 1),  # seen later, unchanged
        link("tax", "t3", "p3", "a", 0), link("population", "r3", "p3", "b", -1),  # changed before the copy
        # Changed after the copy, then changed back: the change after the copy still makes it stale.
        link("tax", "t4", "p4", "a", 0), link("population", "r4", "p4", "b", 1), link("census", "c4", "p4", "a", 2),
        # Two authorities disagree at the same, later time: one of them changed it.
        link("tax", "t5", "p5", "a", 0), link("population", "r5", "p5", "a", 2), link("census", "c5", "p5", "b", 2),
        # Later and different, but from no authority (nor the agency itself, on another record).
        link("tax", "t6", "p6", "a", 0), link("social", "s6", "p6", "b", 1), link("tax", "t6b", "p6", "b", 1),
        # An authority's later row without a value, or with a value but without a time.
        link("tax", "t7", "p7", "a", 0), link("population", "r7", "p7", None, 1), link("census", "c7", "p7", "b", None),
        # Copies without a time or a value are not timed.
        link("tax", "t8", "p8", "a", None), link("tax", "t8b", "p8", None, 0), link("population", "r8", "p8", "b", 1),
        link("tax", "t9", "p9", "a", 0), link("population", "r9", "p9", "b", 0),  # changed at the copy's time, not after
        # Two copies of one person: the one the authority differs from is stale.
        link("tax", "t10", "p10", "a", 0), link("tax", "t10b", "p10", "c", 0), link("population", "r10", "p10", "a", 1),
        # The newest value is the copy's; the other one is older than the copy.
        link("tax", "t11", "p11", "a", 0), link("population", "r11", "p11", "a", 3), link("census", "c11", "p11", "b", -1),
        link("tax", "t12", "p12", "a", 0),  # nobody else holds this person
    ]
    timed = ["t1", "t2", "t3", "t4", "t5", "t6", "t6b", "t7", "t9", "t10", "t10b", "t11", "t12"]
    assert counted(fresh_store, holding, links) == (len(timed), len(["t1", "t4", "t5", "t10b"]))


def test_random_registries_agree_with_the_definition_row_by_row(holdings_project, fresh_store):
    holding = load_catalogue(holdings_project).holding("tax_taxpayer_address")
    pick = random.Random(5)
    links = [link(pick.choice(["tax", "tax", "population", "census", "social"]), f"r{n}", f"p{pick.randrange(40)}",
                  pick.choice(["a", "b", "c", None]), pick.choice([-2, -1, 0, 1, 2, None])) for n in range(400)]
    trusted = AUTHORITY["address"]
    copies = [m for m in links if m["source"] == "tax" and m["street"] is not None and m["observed_at"] is not None]
    stale = [m for m in copies if any(
        t["source"] in trusted and t["person_id"] == m["person_id"] and t["street"] not in (None, m["street"])
        and t["observed_at"] is not None and t["observed_at"] > m["observed_at"] for t in links)]
    assert 0 < len(stale) < len(copies)  # the draw has both kinds
    assert counted(fresh_store, holding, links) == (len(copies), len(stale))
