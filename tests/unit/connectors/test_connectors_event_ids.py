"""Connector event ids are derived from the connector and the row's origin, so a resend repeats them."""

from __future__ import annotations

import uuid

from govbus.connectors.shipment import EVENT_ID_NAMESPACE, event_id


def test_connector_event_ids_are_version_5_uuids_of_the_origin():
    origins = ["tax-roll 19800101-0000001 2026-01-01 00:00:00.007", "outbox 7", "drop.csv 120 3", "ÖBERG"]
    for origin in origins:
        assert event_id(origin) == str(uuid.uuid5(EVENT_ID_NAMESPACE, origin))
    assert len({event_id(origin) for origin in origins}) == len(origins)
