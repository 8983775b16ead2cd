"""The store (PostgreSQL) restarts twice while landing runs: the lander retries, nothing is lost."""

from __future__ import annotations

import threading
import time

from faults_support import landing_tally, registered_topic, tally_landing
from sqlalchemy import func, select, table

from govbus.audit import verify_chain
from govbus.bus.publisher import Publisher
from govbus.errors import RetriableError
from govbus.land import land, landed_table_name
from govbus.store import Store

EVENTS = 20_000


def wait_for_tally(store: Store, target: int, lander: threading.Thread) -> None:
    deadline = time.monotonic() + 300
    while lander.is_alive() and time.monotonic() < deadline:
        try:
            if landing_tally(store)[0] >= target:
                return
        except RetriableError:
            pass
        time.sleep(0.05)


def test_landing_survives_store_restarts_without_loss(kafka_settings, demo_project, private_postgres, report_counts, resident):
    project = demo_project()
    topic = registered_topic(project, kafka_settings)
    with Publisher(project, kafka_settings) as publisher:
        assert publisher.publish(topic, [resident(n) for n in range(EVENTS)]).sent == EVENTS
    store = Store(private_postgres.url)
    store.migrate()
    attempts, failures = [], []

    def land_with_retries() -> None:
        # What an Airflow task's retries do: a RetriableError runs the task again.
        while True:
            attempts.append(time.monotonic())
            try:
                land(project, store, [topic], settings=kafka_settings, idle_timeout_s=2, batch_size=400, on_batch=tally_landing)
                return
            except RetriableError:
                time.sleep(1)
            except Exception as exc:  # noqa: BLE001 - anything else fails the test below
                failures.append(exc)
                return

    lander = threading.Thread(target=land_with_retries)
    lander.start()
    restarted_at = []
    for share in (0.2, 0.6):
        wait_for_tally(store, int(EVENTS * share), lander)
        restarted_at.append(landing_tally(store)[0])
        private_postgres.restart()
    lander.join(timeout=600)
    assert not failures, repr(failures[0]) if failures else ""

    recorded, distinct = landing_tally(store)
    with store.begin() as connection:
        rows = connection.execute(select(func.count()).select_from(table(landed_table_name(topic)))).scalar_one()
    chain = verify_chain(store)
    report_counts(
        f"store restarted at {restarted_at} of {EVENTS:,} landed events; lander ran {len(attempts)} time(s); "
        f"{recorded:,} landed, {distinct:,} distinct, {rows:,} rows; audit chain intact={chain.intact}"
    )
    assert all(0 < count < EVENTS for count in restarted_at)
    assert recorded == distinct == rows == EVENTS
    assert chain.intact
    store.engine.dispose()
