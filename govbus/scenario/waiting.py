"""Waiting for the stack to do its part: landing to reach the bus's end, and DAG runs to finish.

Landing is measured where it is decided: the positions the store holds for the landing group,
against the topics' end offsets taken once publishing is done. DAG runs are followed through the
Airflow API; a DAG whose schedule would not fire in time is triggered there, with a note.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from kafka import TopicPartition

from govbus.bus import clients
from govbus.errors import RetriableError
from govbus.land import LAND_GROUP, stored_positions
from govbus.scenario.airflow_api import FINISHED, AirflowApi
from govbus.settings import KafkaSettings
from govbus.store import Store

# (stage, done, total) for a progress display; total None while unknown.
Progress = Callable[[str, int, int | None], None]
POLL_S = 2.0


def end_offsets(settings: KafkaSettings, topics: list[str]) -> dict[TopicPartition, int]:
    """Each partition's end offset now: the position landing must reach."""
    consumer = clients.consumer(settings, enable_auto_commit=False)
    try:
        with clients.broker_faults("reading end offsets"):
            partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or [])]
            return dict(consumer.end_offsets(partitions))
    finally:
        consumer.close()


def wait_for_landing(store: Store, ends: dict[TopicPartition, int], timeout_s: float, progress: Progress) -> float:
    """Until the store's landing positions reach ``ends``; returns the seconds waited."""
    started = time.monotonic()
    total = sum(ends.values())
    topics = sorted({tp.topic for tp in ends})
    while True:
        held = stored_positions(store, LAND_GROUP, topics) if _has_positions(store) else {}
        done = sum(min(held.get(tp, 0), end) for tp, end in ends.items())
        progress("landing", done, total)
        if done >= total:
            return time.monotonic() - started
        _check_deadline(started, timeout_s, f"landing reached {done} of {total} events; see the land_events DAG")
        time.sleep(POLL_S)


def wait_for_asset_run(api: AirflowApi, dag_id: str, after: datetime, timeout_s: float, progress: Progress) -> dict:
    """The first run of ``dag_id`` queued after ``after``, once finished; triggered if none comes within a minute."""
    started = time.monotonic()
    while True:
        runs = [run for run in api.dag_runs(dag_id) if parse_time(run.get("queued_at") or run["run_after"]) >= after]
        if runs:
            return wait_for_run(api, dag_id, runs[-1]["dag_run_id"], timeout_s, progress)
        if time.monotonic() - started > 60:
            return trigger_and_wait(api, dag_id, "scenario: no asset-triggered run came", timeout_s, progress)
        progress(dag_id, 0, None)
        time.sleep(POLL_S)


def wait_until_idle(api: AirflowApi, dag_id: str, timeout_s: float, progress: Progress) -> dict | None:
    """Until ``dag_id`` has no queued or running run; returns its newest run."""
    started = time.monotonic()
    while True:
        runs = api.dag_runs(dag_id)
        if not any(run["state"] not in FINISHED for run in runs):
            return runs[0] if runs else None
        progress(dag_id, 0, None)
        _check_deadline(started, timeout_s, f"{dag_id} still has runs going")
        time.sleep(POLL_S)


def trigger_and_wait(api: AirflowApi, dag_id: str, note: str, timeout_s: float, progress: Progress) -> dict:
    run = api.trigger(dag_id, note)
    return wait_for_run(api, dag_id, run["dag_run_id"], timeout_s, progress)


def wait_for_run(api: AirflowApi, dag_id: str, run_id: str, timeout_s: float, progress: Progress) -> dict:
    started = time.monotonic()
    while True:
        run = api.run(dag_id, run_id)
        if run["state"] in FINISHED:
            progress(dag_id, 1, 1)
            return run
        progress(dag_id, 0, 1)
        _check_deadline(started, timeout_s, f"{dag_id} run {run_id} is still {run['state']}")
        time.sleep(POLL_S)


def _has_positions(store: Store) -> bool:
    from sqlalchemy import inspect

    from govbus.store.tables import consumer_offset

    with store.begin() as connection:
        return inspect(connection).has_table(consumer_offset.name)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _check_deadline(started: float, timeout_s: float, what: str) -> None:
    if time.monotonic() - started > timeout_s:
        raise RetriableError(f"waited {timeout_s:.0f}s: {what}")
