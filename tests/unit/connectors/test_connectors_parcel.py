"""A parcel read ahead crosses to the publishing process whole: every event and refusal, in row order."""

from __future__ import annotations

import pickle

from govbus.bus.publisher import Breach, Refusal
from govbus.bus.receipt import Rejection
from govbus.connectors.base import SourceBatch
from govbus.connectors.shipment import Parcel

UNMAPPED = Refusal(Rejection(1, "mapping", "column 'born' is not a date", "date_of_birth", dead_lettered=True), b'{"born": "1980-13-01"}')
HELD = Breach("AGR-2026-014", "3.2", "postcode_format", "quarantine", [("quarantine.rule", b"postcode_format")])
EVENTS = [
    UNMAPPED,
    (b"\xc3\x01avro", b"19800101-0001", "5b1f0c2e-0000-5000-8000-000000000002", 2, None),
    (b"\xc3\x01held", b"19800101-0002", None, None, HELD),
    Refusal(Rejection(4, "missing_key", "key field 'national_id' is missing or empty", "national_id")),
    (b"\xc3\x01avro", b"19800101-0004", "5b1f0c2e-0000-5000-8000-000000000005", 0, None),
]


def _across(events: list) -> Parcel:
    return pickle.loads(pickle.dumps(Parcel(SourceBatch([], {"key": "19800101-0004"}), events)))


def test_events_and_refusals_arrive_in_row_order():
    parcel = _across(EVENTS)

    assert parcel.events == EVENTS and parcel.batch.position == {"key": "19800101-0004"}


def test_a_parcel_of_refusals_only_or_of_nothing_arrives_as_it_left():
    assert _across([UNMAPPED]).events == [UNMAPPED]
    assert _across([]).events == []
    assert _across(EVENTS[1:3]).events == EVENTS[1:3]
