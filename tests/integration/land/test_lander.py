"""Landing from a real broker into SQLite and PostgreSQL: counts add up, reruns change nothing."""

from __future__ import annotations

import pytest
from land_bus import end_offsets, publish
from kafka import KafkaProducer
from sqlalchemy import delete, select

from govbus.bus.replay import list_dead_letters
from govbus.errors import ContractViolation
from govbus.land import land, landed_table_name
from govbus.land.offsets import stored_positions
from govbus.store.tables import consumer_offset


def rows(store, topic: str) -> dict[str, dict]:
    with store.begin() as connection:
        result = connection.exec_driver_sql(f"SELECT * FROM {landed_table_name(topic)}")
        return {row["national_id"]: dict(row) for row in result.mappings()}


def move(person: dict, **changes) -> dict:
    """The address change of ``person`` to the harbour street."""
    return {"national_id": person["national_id"], "street": "Hamngatan 2", "postcode": "22100", "city": "Sjöby", **changes}


def test_events_land_once_with_where_they_came_from_and_garbage_is_dead_lettered(land_project, fresh_store, kafka_settings, resident):
    people = [resident(n) for n in range(40)]
    publish(land_project, land_project.people, people, kafka_settings)
    publish(land_project, land_project.moves, [move(resident(n)) for n in range(10)], kafka_settings, version=1)
    publish(land_project, land_project.moves, [move(resident(n), moved_on="2026-03-01") for n in range(10, 15)], kafka_settings, version=2)
    producer = KafkaProducer(**kafka_settings.client_config())
    producer.send(land_project.moves, b"not avro at all", key=b"x")
    producer.send(land_project.moves, b"\xc3\x01" + b"\x00" * 8 + b"unknown writer", key=b"y")
    producer.flush()
    producer.close()

    receipt = land(land_project, fresh_store, [land_project.people, land_project.moves], settings=kafka_settings, idle_timeout_s=1)

    assert (receipt.consumed, receipt.landed, receipt.dead_lettered) == (57, 55, 2)
    assert receipt.topics[land_project.moves].dead_lettered == 2 and receipt.balanced
    landed_people = rows(fresh_store, land_project.people)
    assert {k: {f: v[f] for f in people[0]} for k, v in landed_people.items()} == {p["national_id"]: p for p in people}
    first = landed_people[people[0]["national_id"]]
    assert first["_agency"] == "population" and first["_schema_version"] == 1 and first["_event_id"]
    assert first["_topic"] == land_project.people and first["_landed_at"] is not None
    moves = rows(fresh_store, land_project.moves)
    # v1 events are read with v2, the newest: the field they lack resolves to its default.
    assert [moves[resident(n)["national_id"]]["moved_on"] for n in (0, 12)] == [None, "2026-03-01"]
    assert [moves[resident(n)["national_id"]]["_schema_version"] for n in (0, 12)] == [1, 2]
    stored = stored_positions(fresh_store, "govbus.land", [land_project.people, land_project.moves])
    # Dead letters count as processed: the stored positions are past them, at the end of every partition.
    assert stored == end_offsets(kafka_settings, [land_project.people, land_project.moves])
    reasons = sorted(d.letter.reason for d in list_dead_letters(land_project, land_project.moves, kafka_settings))
    assert reasons == ["bad_marker", "unknown_fingerprint"]


def test_rerunning_lands_nothing_and_changes_nothing(land_project, fresh_store, kafka_settings, resident):
    publish(land_project, land_project.people, [resident(n) for n in range(25)], kafka_settings)
    land(land_project, fresh_store, [land_project.people], settings=kafka_settings, idle_timeout_s=1)
    before = rows(fresh_store, land_project.people)

    again = land(land_project, fresh_store, [land_project.people], settings=kafka_settings, idle_timeout_s=1)

    assert (again.consumed, again.batches) == (0, 0)
    assert rows(fresh_store, land_project.people) == before


def test_position_comes_from_the_store_and_max_stops_exactly(land_project, fresh_store, kafka_settings, resident):
    publish(land_project, land_project.people, [resident(n) for n in range(50)], kafka_settings)

    first = land(land_project, fresh_store, [land_project.people], settings=kafka_settings, max_events=20, idle_timeout_s=1)
    assert (first.consumed, len(rows(fresh_store, land_project.people))) == (20, 20)
    rest = land(land_project, fresh_store, [land_project.people], settings=kafka_settings, idle_timeout_s=1)
    assert (rest.consumed, len(rows(fresh_store, land_project.people))) == (30, 50)

    # Forget the stored positions: the lander starts over (Kafka holds nothing for it) and the
    # upserts absorb the repeat.
    before = rows(fresh_store, land_project.people)
    with fresh_store.begin() as connection:
        connection.execute(delete(consumer_offset))
    replayed = land(land_project, fresh_store, [land_project.people], settings=kafka_settings, idle_timeout_s=1)
    assert replayed.consumed == 50
    assert rows(fresh_store, land_project.people) == before


def test_an_older_event_never_overwrites_a_newer_row(land_project, fresh_store, kafka_settings, resident):
    old, new = resident(7, street="Gamla vägen 1"), resident(7, street="Nya vägen 2")
    publish(land_project, land_project.people, [old, new], kafka_settings)
    land(land_project, fresh_store, [land_project.people], settings=kafka_settings, idle_timeout_s=1)
    assert rows(fresh_store, land_project.people)[old["national_id"]]["street"] == "Nya vägen 2"

    # Replay only the first event: the old one reaches the table after the new one is there.
    with fresh_store.begin() as connection:
        connection.execute(delete(consumer_offset))
    replayed = land(land_project, fresh_store, [land_project.people], settings=kafka_settings, max_events=1)

    assert replayed.landed == 1
    assert rows(fresh_store, land_project.people)[old["national_id"]]["street"] == "Nya vägen 2"


def test_a_refused_batch_lands_no_row_and_moves_no_offset(land_project, fresh_store, kafka_settings, resident):
    publish(land_project, land_project.people, [resident(n) for n in range(5)], kafka_settings)
    seen = []

    def refuse(table, batch, connection):
        seen.append((table.name, len(batch)))
        raise ContractViolation("postcode invalid", contract="c", agreement="AGR-2026-031", clause="4.2", rule="postcode")

    with pytest.raises(ContractViolation):
        land(land_project, fresh_store, [land_project.people], settings=kafka_settings, idle_timeout_s=1, on_batch=refuse)

    assert seen == [(landed_table_name(land_project.people), 5)]
    assert rows(fresh_store, land_project.people) == {}
    with fresh_store.begin() as connection:
        assert connection.execute(select(consumer_offset)).all() == []
    assert land(land_project, fresh_store, [land_project.people], settings=kafka_settings, idle_timeout_s=1).landed == 5
