"""Stable person ids: which govbus person each new cluster of records is.

A cluster is the person whose records it holds most of; when a cluster holds records of several
people they are merged and the oldest id survives; when a person's records end up in several
clusters the cluster with the largest share keeps the id and the others become new people.
Ids are ``P`` and a zero-padded sequence, so the oldest id is the smallest, and none is reused.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

ID_DIGITS = 9


def person_id(sequence: int) -> str:
    return f"P{sequence:0{ID_DIGITS}d}"


def sequence_of(person: str) -> int:
    return int(person[1:])


@dataclass
class Assignment:
    """Each cluster's person id, with the merges and splits it took to get there."""

    ids: dict[str, str] = field(default_factory=dict)
    merges: dict[str, list[str]] = field(default_factory=dict)  # surviving id -> retired ids
    splits: dict[str, list[str]] = field(default_factory=dict)  # kept id -> ids of the split-off people
    created: list[str] = field(default_factory=list)


def assign_ids(
    clusters: Mapping[str, set[str]], previous: Mapping[str, str], new_id: Callable[[], str]
) -> Assignment:
    """Person ids for ``clusters`` (cluster -> record ids) given ``previous`` (record id -> person id)."""
    overlap: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for cluster, members in clusters.items():
        for record in members:
            if record in previous:
                overlap[previous[record]][cluster] += 1
    # Largest share first; ties go to the smallest cluster key so the outcome is reproducible.
    owner = {p: min(counts, key=lambda c: (-counts[c], c)) for p, counts in overlap.items()}
    owned: dict[str, list[str]] = {}
    for p, cluster in owner.items():
        owned.setdefault(cluster, []).append(p)
    result = Assignment()
    for cluster in sorted(clusters):
        people = sorted(owned.get(cluster, []), key=sequence_of)
        if people:
            result.ids[cluster] = people[0]
            if len(people) > 1:
                result.merges[people[0]] = people[1:]
        else:
            result.ids[cluster] = new_id()
            result.created.append(result.ids[cluster])
    for p, counts in overlap.items():
        others = sorted(result.ids[c] for c in counts if c != owner[p])
        if others:
            result.splits[p] = others
    return result
