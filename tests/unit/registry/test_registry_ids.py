"""Stable person ids across runs: joins, merges, splits and new people."""

from __future__ import annotations

import itertools

from govbus.registry.ids import assign_ids, person_id


def _ids(start: int):
    counter = itertools.count(start)
    return lambda: person_id(next(counter))


def test_new_records_joining_a_person_keep_its_id_and_new_people_get_fresh_ids():
    previous = {"population:1": "P000000004", "tax:1": "P000000004"}
    result = assign_ids({"a": {"population:1", "tax:1", "post:9"}, "b": {"post:7"}}, previous, _ids(10))
    assert result.ids == {"a": "P000000004", "b": "P000000010"}
    assert result.created == ["P000000010"] and not result.merges and not result.splits


def test_a_merge_keeps_the_oldest_id_and_retires_the_other():
    previous = {"tax:1": "P000000009", "social:1": "P000000002", "social:2": "P000000002"}
    result = assign_ids({"a": {"tax:1", "social:1", "social:2"}}, previous, _ids(10))
    assert result.ids == {"a": "P000000002"} and result.merges == {"P000000002": ["P000000009"]}


def test_a_split_leaves_the_id_with_the_largest_share():
    previous = {"tax:1": "P000000003", "social:1": "P000000003", "post:1": "P000000003"}
    result = assign_ids({"x": {"post:1"}, "y": {"tax:1", "social:1"}}, previous, _ids(10))
    assert result.ids == {"x": "P000000010", "y": "P000000003"}
    assert result.splits == {"P000000003": ["P000000010"]}
