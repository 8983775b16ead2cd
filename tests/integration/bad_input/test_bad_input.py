"""Bad input of every kind ends in the DLQ or quarantine, or is refused with a clear error.

Nothing crashes and nothing is lost: each test checks that what went in is all accounted for.
"""

from __future__ import annotations

import pytest
from bad_input_support import dead_letter_reasons, encoded, quarantine_clauses
from kafka import KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy import select, table, column

from govbus.bus.dead_letter import DeadLetter, dead_letter_topic
from govbus.bus.publisher import Publisher
from govbus.contracts import checks_for
from govbus.errors import ConfigurationError
from govbus.land import land, landed_table_name
from govbus.security.credentials import settings_for

RAW = {
    "truncated": lambda valid: b"\xc3\x01\x00\x01",
    "bad_marker": lambda valid: b"\x00\x00" + valid[2:],
    "unknown_fingerprint": lambda valid: b"\xc3\x01" + b"\xee" * 8 + valid[10:],
    "wrong_key": lambda valid: valid,  # sent under another person's key
}


def publisher(project, settings=None) -> Publisher:
    return Publisher(project, settings or project.admin, checks=checks_for(project))


def test_bytes_no_publisher_would_send_are_dead_lettered_at_landing(country, fresh_store, read_topic, report_counts, resident):
    producer = KafkaProducer(**country.admin.client_config())
    valid = encoded(country, country.registered, resident(1))
    for reason, payload in RAW.items():
        key = resident(2 if reason == "wrong_key" else 1)["national_id"].encode()
        producer.send(country.registered, payload(valid), key=key, partition=0)
    producer.flush()
    producer.close()
    with publisher(country) as good:
        assert good.publish(country.registered, [resident(10)]).sent == 1

    landed = land(country, fresh_store, [country.registered], settings=country.admin, idle_timeout_s=2)
    reasons = dead_letter_reasons(read_topic, country.admin, country.registered)
    report_counts(f"{len(RAW) + 1} messages: landed {landed.landed}, dead-lettered {landed.dead_lettered} {dict(reasons)}")
    assert (landed.consumed, landed.landed, landed.dead_lettered) == (len(RAW) + 1, 1, len(RAW))
    assert reasons == {reason: 1 for reason in RAW}


def test_records_that_break_the_schema_or_lack_their_key_are_dead_lettered_at_publish(country, read_topic, report_counts, resident):
    records = [
        resident(1, given_name=42),
        resident(2, national_id=""),
        {**resident(3), "shoe_size": 44},
        "not a record",
        resident(4),
    ]
    with publisher(country) as population:
        receipt = population.publish(country.registered, records)
    reasons = dead_letter_reasons(read_topic, country.admin, country.registered)
    report_counts(f"{receipt.read} records: sent {receipt.sent}, dead-lettered {receipt.dead_lettered} {dict(reasons)}")
    assert (receipt.sent, receipt.rejected, receipt.dead_lettered, receipt.balanced) == (1, 4, 4, True)
    assert reasons == {"type_mismatch": 1, "missing_key": 1, "unexpected_field": 1, "not_a_record": 1}


def test_values_that_break_the_contract_are_quarantined_under_their_clause(country, read_topic, report_counts, resident):
    records = [resident(1, postcode="ABCDE"), resident(2, civil_status="complicated"), resident(3, date_of_birth="01/02/1980"), resident(4)]
    with publisher(country) as population:
        receipt = population.publish(country.registered, records)
    held = quarantine_clauses(read_topic, country.admin, country.registered)
    report_counts(f"{receipt.read} records: sent {receipt.sent}, quarantined {receipt.quarantined} {dict(held)}")
    assert (receipt.sent, receipt.quarantined, receipt.balanced) == (1, 3, True)
    assert held == {"AGR-2026-012 3.4 postcode": 1, "AGR-2026-012 3.5 civil_status": 1, "AGR-2026-012 3.2 date_of_birth": 1}


def test_the_broker_refuses_a_message_over_its_size_limit(country, report_counts):
    # A producer that allows large requests still meets the broker's message.max.bytes. Retries
    # ride out a topic whose leader is still being elected; a size refusal is never retried.
    producer = KafkaProducer(**country.admin.client_config(), max_request_size=4 * 1024 * 1024, retries=100)
    with pytest.raises(KafkaError, match="TooLarge"):
        producer.send(country.registered, b"\xc3\x01" + b"x" * 2_000_000, key=b"19800101-0001").get(timeout=30)
    producer.close()
    report_counts("1 message of 2 MB: refused by the broker (message.max.bytes 1 MiB)")


def test_an_oversized_record_is_a_rejection_not_a_crash(country, resident):
    with publisher(country) as population:
        receipt = population.publish(country.registered, [resident(1, street="x" * 2_000_000), resident(2)])
    assert (receipt.sent, receipt.rejected, receipt.balanced) == (1, 1, True)
    assert receipt.rejections[0].reason == "oversized" and "byte limit" in receipt.rejections[0].message


def test_an_agency_not_entitled_to_a_topic_is_refused_by_the_broker(with_access, read_topic, report_counts, resident):
    country = with_access
    tax = settings_for(country, "tax", country.admin)
    with pytest.raises(ConfigurationError, match="its provider is 'population'"):
        with Publisher(country, tax) as posing:
            posing.publish(country.registered, [resident(1)], agency="tax")
    # Claiming to be the provider does not help: the broker knows who is connected.
    with Publisher(country, tax) as posing:
        receipt = posing.publish(country.registered, [resident(n) for n in range(3)])
    on_topic = read_topic(country.admin, country.registered)
    report_counts(f"3 records from tax to the register's topic: sent {receipt.sent}, refused {receipt.failed}; on the topic {len(on_topic)}")
    assert (receipt.sent, receipt.failed, receipt.balanced) == (0, 3, True)
    assert "TopicAuthorizationFailed" in receipt.failures[0] and on_topic == []


HOSTILE = {
    "given_name": "Robert'); DROP TABLE land_population_person_registered;--",
    "family_name": "O'Brien \"; DELETE FROM audit_entry; --",
    "street": "Ωμέγα 東京 ул. Ленина 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧‍👦 \u202eRTL\u202c " * 3,
}


def landed_rows(store, topic: str) -> dict[str, dict]:
    fields = ["national_id", "given_name", "family_name", "street", "city"]
    with store.begin() as connection:
        rows = connection.execute(select(*(column(f) for f in fields)).select_from(table(landed_table_name(topic)))).mappings()
        return {row["national_id"]: dict(row) for row in rows}


def test_hostile_strings_round_trip_into_the_store_or_are_quarantined(country, fresh_store, report_counts, resident):
    records = [resident(1, **HOSTILE), resident(2, street="Ж" * 50_000)]
    with publisher(country) as population:
        receipt = population.publish(country.registered, records)
    landed = land(country, fresh_store, [country.registered], settings=country.admin, idle_timeout_s=2)
    rows = landed_rows(fresh_store, country.registered)
    report_counts(f"{receipt.read} hostile records: sent {receipt.sent}, quarantined {receipt.quarantined} (50,000 chars); landed {landed.landed} into {fresh_store.dialect}")
    assert (receipt.sent, receipt.quarantined, landed.landed) == (1, 1, 1)
    assert {k: rows[resident(1)["national_id"]][k] for k in HOSTILE} == HOSTILE


def test_nul_characters_round_trip_into_the_store_or_are_dead_lettered(country, fresh_store, read_topic, report_counts, resident):
    with publisher(country) as population:
        receipt = population.publish(country.registered, [resident(1, city="Nor\x00rvik"), resident(2)])
    landed = land(country, fresh_store, [country.registered], settings=country.admin, idle_timeout_s=2)
    rows = landed_rows(fresh_store, country.registered)
    letters = [DeadLetter.from_kafka(m.headers) for m in read_topic(country.admin, dead_letter_topic(country.registered))]
    report_counts(f"2 records, one with a NUL: sent {receipt.sent}, landed {landed.landed}, dead-lettered {landed.dead_lettered} into {fresh_store.dialect}")
    assert landed.consumed == 2 and landed.balanced
    assert resident(2)["national_id"] in rows
    if fresh_store.dialect == "postgresql":
        # PostgreSQL text cannot hold NUL: that one record is dead-lettered, naming field and rule.
        assert (landed.landed, landed.dead_lettered) == (1, 1)
        assert [(letter.stage, letter.field, letter.reason) for letter in letters] == [("consume", "city", "nul_character")]
    else:
        assert (landed.landed, letters) == (2, [])
        assert rows[resident(1)["national_id"]]["city"] == "Nor\x00rvik"
