"""``land_events`` on the real broker and store: the bus watcher's trigger, then a whole DAG run."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from conftest import publish_events
from sqlalchemy import func, select

from govbus.contracts.tables import contract_validation_run
from govbus.land import LAND_GROUP, land, landed_table_name, stored_positions
from govbus.orchestration.connections import govbus_environment, kafka_connection
from govbus.synthetic.country import generate_country
from govbus.synthetic.events import SUBJECTS, event_records


def country_events(project, sources: tuple[str, ...] = ("population", "tax"), people: int = 30, seed: int = 5) -> dict[str, list[dict]]:
    """A small synthetic country's events from ``sources``, by the project's topic for each."""
    topic_of = {topic.subject: name for name, topic in project.topics.items()}
    country = generate_country(people, seed)
    return {topic_of[SUBJECTS[source]]: list(event_records(source, country.sources[source])) for source in sources}


@pytest.fixture
def watcher_connection(bus_project, bus_store, kafka_settings, monkeypatch) -> None:
    """The trigger's Airflow connection as the local stack sets it, with a consumer group of its own."""
    env = govbus_environment(bus_project, bus_store.url, kafka_settings)
    env["AIRFLOW_CONN_GOVBUS_KAFKA"] = json.dumps(kafka_connection(kafka_settings, group_id=f"watch-{uuid.uuid4().hex[:8]}"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)


async def _first_event(trigger) -> dict:
    try:
        async for event in trigger.run():
            return event.payload
    finally:
        await trigger.cleanup()


def fired(timeout: float = 60.0) -> dict:
    """Run the DAG's own bus watcher, as the triggerer does, until it fires."""
    from airflow.providers.apache.kafka.triggers.msg_queue import KafkaMessageQueueTrigger

    from govbus.orchestration.names import KAFKA_CONNECTION, UNLANDED_EVENT, watched_topics

    trigger = KafkaMessageQueueTrigger(
        topics=[watched_topics()], kafka_config_id=KAFKA_CONNECTION, apply_function=UNLANDED_EVENT, poll_timeout=1, poll_interval=0
    )
    return asyncio.run(asyncio.wait_for(_first_event(trigger.trigger), timeout))


def test_the_bus_watcher_fires_on_unlanded_events_and_skips_landed_ones(airflow_home, bus_project, bus_store, kafka_settings, watcher_connection):
    (registered,) = [name for name, topic in bus_project.topics.items() if topic.subject == "population.person.registered"]
    burst = country_events(bus_project)[registered]
    assert publish_events(bus_project, kafka_settings, {registered: burst[:5]})[registered] == 5

    first = fired()
    assert first["topic"] == registered and first["offset"] == 0

    land(bus_project, bus_store, [registered], settings=kafka_settings, idle_timeout_s=1)
    landed = {p.partition: offset for p, offset in stored_positions(bus_store, LAND_GROUP, [registered]).items()}
    assert sum(landed.values()) == 5
    publish_events(bus_project, kafka_settings, {registered: burst[5:6]})

    # The watcher passes over the four landed events it has not seen yet and fires on the new one.
    following = fired()
    assert following["topic"] == registered
    assert following["offset"] == landed.get(following["partition"], 0)


def test_land_events_lands_a_burst_validates_it_and_announces_each_landed_table(dag_bag, bus_project, any_store, kafka_settings):
    from airflow.models.asset import AssetEvent
    from airflow.settings import Session

    sent = publish_events(bus_project, kafka_settings, country_events(bus_project))

    run = dag_bag.get_dag("land_events").test()

    assert run.state == "success"
    with any_store.begin() as connection:
        for topic, count in sent.items():
            landed = connection.execute(select(func.count()).select_from(_table(any_store, topic))).scalar()
            assert 0 < landed <= count, topic
        validated = dict(connection.execute(select(contract_validation_run.c.topic, func.count()).group_by(contract_validation_run.c.topic)).all())
    assert set(validated) == {topic for topic, count in sent.items() if count}
    uris = {landed_table_name(topic): topic for topic in sent}
    with Session() as session:
        events = session.query(AssetEvent).filter(AssetEvent.source_run_id == run.run_id).all()
        announced = {event.uri.removeprefix("govbus://store/"): event.extra for event in events}
    assert set(announced) == set(uris)
    assert all(announced[table]["landed"] > 0 and announced[table]["topic"] == uris[table] for table in announced)

    again = dag_bag.get_dag("land_events").test()
    assert again.state == "success"
    with Session() as session:
        assert session.query(AssetEvent).filter(AssetEvent.source_run_id == again.run_id).count() == 0


def _table(store, topic: str):
    from sqlalchemy import MetaData, Table

    return Table(landed_table_name(topic), MetaData(), autoload_with=store.engine)
