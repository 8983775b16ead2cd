"""Each event's headers: unique UUID event ids, the time, and the batch's fixed envelope."""

from __future__ import annotations

import uuid
from datetime import datetime

from govbus.bus.headers import ENVELOPE_HEADERS, event_headers, headers_dict


def test_event_ids_are_unique_version_4_uuids_across_batches():
    ids = []
    for _ in range(3):
        make = event_headers("population.person.registered", "population", 2)
        ids += [headers_dict(make())["event_id"] for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    assert {uuid.UUID(value).version for value in ids} == {4}
    assert {uuid.UUID(value).variant for value in ids} == {uuid.RFC_4122}


def test_headers_carry_the_envelope_and_a_given_id():
    make = event_headers("population.person.registered", "population", 2, trace_id="t1")
    headers = headers_dict(make("tax-source:42"))
    assert set(headers) == set(ENVELOPE_HEADERS)
    assert (headers["event_id"], headers["agency"], headers["schema_version"], headers["trace_id"]) == ("tax-source:42", "population", "2", "t1")
    occurred = datetime.fromisoformat(headers["occurred_at"])
    assert occurred.tzinfo is not None and abs((datetime.now(occurred.tzinfo) - occurred).total_seconds()) < 5
