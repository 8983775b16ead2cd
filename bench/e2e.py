"""End-to-end freshness through the running stack: an event published, until it is in the golden record and validated.

    python bench/e2e.py [--events 300] [--burst 15] [--every 6]

The bench starts a stack of its own: `govbus up` in a temporary copy of the project (govbus.yaml,
schemas, contracts, reconcile/, dags/) on free ports, so it runs beside any other stack, and
`govbus down` when done. It measures:

- cold start: `govbus up` until every service answers, against the 90 s target: the copy's first
  (Airflow's one-time `db migrate` included), then, after `govbus down`, a start of the stopped stack;
- resident memory: RSS and PSS summed over every process of the services' sessions (Airflow's
  task workers included), right after `up` and again after the events, against 4 GB;
- freshness: person-registered events in bursts. Per event, from just before its burst is sent
  until polling the store finds it linked in the golden record (``person_xref``) and covered by
  a contract validation recorded for its landing batch (``contract_validation_run``, whose batch
  names the offsets it validated). p50 and p95 against the 30 s target, and per stage: landed,
  validated, linked;
- where the time goes, from Airflow's own records: per task of ``land_events`` and
  ``reconcile_shared_customers``, the wait from queued to running and the run itself.

A warm-up burst goes first and is not counted: it waits out the first parse of the DAGs and the
first, full, reconciliation. The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import math
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import psutil
from common import REPO, _free_port, finish
from publish import SUBJECT, people
from sqlalchemy import inspect, text

from govbus.bus.publisher import Publisher
from govbus.bus.topics import apply_topics, desired_topics
from govbus.land import landed_table_name
from govbus.project import load_project
from govbus.security.credentials import adopt_credentials
from govbus.settings import KafkaSettings
from govbus.store import Store
from govbus.store.settings import StoreSettings

ASSETS = ("govbus.yaml", "schemas", "contracts", "reconcile", "dags", "infra")
# The broker's jars, fetched once by Maven: shared with the copy, so cold start is not a download.
JARS = Path(".govbus") / "kafka" / "libs"
DAG_TASKS = {"land_events": ("land", "validate_batch"), "reconcile_shared_customers": ("reconcile",)}
# Measured, not gated: a busy machine may take longer than `up`'s default wait per service.
UP = ("--timeout", "900")
# The CLI of this Python's environment, as an operator runs it.
GOVBUS = str(Path(sys.executable).with_name("govbus"))
TARGETS = {"p95_s": 30.0, "cold_start_s": 90.0, "memory_gib": 4.0}


def govbus(project_dir: Path, *args: str) -> str:
    done = subprocess.run([GOVBUS, "--project", str(project_dir), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"govbus {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def stack_memory(pids: list[int]) -> dict[str, float]:
    """RSS and PSS in MiB of every process whose session one of the services leads."""
    rss = pss = processes = 0
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) in pids:
                memory = process.memory_full_info()
                rss, pss, processes = rss + memory.rss, pss + memory.pss, processes + 1
        except (ProcessLookupError, psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return {"rss_mib": round(rss / 2**20), "pss_mib": round(pss / 2**20), "processes": processes}


class Watch:
    """Per event (its national id), when polling the store first saw it landed, validated and linked."""

    def __init__(self, store: Store, topic: str) -> None:
        self.store, self.topic, self.table = store, topic, landed_table_name(topic)
        self.seen: dict[str, dict[str, float]] = {}

    def poll(self) -> None:
        now = time.time()
        with self.store.begin() as connection:
            tables = set(inspect(connection).get_table_names())
            if self.table not in tables:
                return
            landed = connection.execute(text(f"SELECT national_id, _partition, _offset FROM {self.table}")).all()
            linked = set()
            if "person_xref" in tables:
                linked = {row[0] for row in connection.execute(text("SELECT record_id FROM person_xref WHERE source = 'population'"))}
            batches = []
            if "contract_validation_run" in tables:
                query = text("SELECT batch FROM contract_validation_run WHERE topic = :topic AND batch LIKE '% offsets %'")
                # The batch reads "land_<topic> offsets {'<partition>': [first, end]}" (validate_batch_of).
                batches = [ast.literal_eval(batch.split(" offsets ", 1)[1]) for (batch,) in connection.execute(query, {"topic": self.topic})]
        for national_id, partition, offset in landed:
            seen = self.seen.setdefault(national_id, {})
            seen.setdefault("landed", now)
            if "validated" not in seen and any(first <= offset < end for ranges in batches for first, end in [ranges.get(str(partition), (0, 0))]):
                seen["validated"] = now
            if national_id in linked:
                seen.setdefault("linked", now)

    def done(self, national_id: str) -> float | None:
        seen = self.seen.get(national_id, {})
        return max(seen["validated"], seen["linked"]) if {"validated", "linked"} <= seen.keys() else None


def send(project, settings: KafkaSettings, records: list[dict], sent: dict[str, float]) -> None:
    started = time.time()
    with Publisher(project, settings) as publisher:
        receipt = publisher.publish(SUBJECT, records)
    assert receipt.sent == len(records), receipt
    sent.update({record["national_id"]: started for record in records})


def wait_for(watch: Watch, ids: list[str], deadline: float, *, poll_s: float = 0.5) -> None:
    while time.time() < deadline and any(watch.done(national_id) is None for national_id in ids):
        watch.poll()
        time.sleep(poll_s)


def percentile(values: list[float], q: int) -> float | None:
    """Nearest rank; None if there are no values or the rank falls on one never reached (inf)."""
    if not values:
        return None
    value = sorted(values)[max(0, math.ceil(q / 100 * len(values)) - 1)]
    return round(value, 2) if math.isfinite(value) else None


def airflow_phases(url: str, since: float) -> dict[str, float | int | None]:
    """Median seconds each task of the DAGs waited from queued to running, and ran, since ``since``."""

    def api(path: str, token: str | None = None) -> dict:
        request = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {token}"} if token else {})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    token = api("/auth/token")["access_token"]
    figures: dict[str, float | int | None] = {}
    for dag_id, tasks in DAG_TASKS.items():
        runs = [run for run in api(f"/api/v2/dags/{dag_id}/dagRuns?limit=100&order_by=-start_date", token)["dag_runs"] if run["start_date"] and _epoch(run["start_date"]) >= since]
        figures[f"{dag_id}_runs"] = len(runs)
        instances = [ti for run in runs for ti in api(f"/api/v2/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances", token)["task_instances"]]
        for task in tasks:
            done = [ti for ti in instances if ti["task_id"] == task and ti["end_date"] and ti["queued_when"]]
            figures[f"{task}_queued_to_running_p50_s"] = percentile([_epoch(ti["start_date"]) - _epoch(ti["queued_when"]) for ti in done], 50)
            figures[f"{task}_running_p50_s"] = percentile([_epoch(ti["end_date"]) - _epoch(ti["start_date"]) for ti in done], 50)
    return figures


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300, help="events measured, after the warm-up burst")
    parser.add_argument("--burst", type=int, default=15, help="events per burst")
    parser.add_argument("--every", type=float, default=6.0, help="seconds between bursts")
    parser.add_argument("--settle", type=float, default=600.0, help="seconds to wait for the last events after the last burst")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="govbus-e2e-"))
    for asset in ASSETS:
        (shutil.copytree if (REPO / asset).is_dir() else shutil.copy)(REPO / asset, workdir / asset)
    if (REPO / JARS).is_dir():
        (workdir / JARS).parent.mkdir(parents=True)
        (workdir / JARS).symlink_to(REPO / JARS)
    kafka_port = _free_port()
    os.environ.update(
        GOVBUS_STACK_KAFKA_PORT=str(kafka_port),
        GOVBUS_STACK_KAFKA_CONTROLLER_PORT=str(_free_port()),
        GOVBUS_STACK_AIRFLOW_PORT=str(_free_port()),
        GOVBUS_KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{kafka_port}",
    )
    os.environ.pop("GOVBUS_STORE_URL", None)
    figures: dict = {"load_average_at_start": [round(value, 2) for value in os.getloadavg()]}
    try:
        # The first up of a fresh project also migrates Airflow's metadata; every later one starts it.
        started = time.monotonic()
        govbus(workdir, "up", *UP)
        figures["first_start_s"] = round(time.monotonic() - started, 1)
        govbus(workdir, "down")
        print(f"first start of a fresh project in {figures['first_start_s']}s; stopped, starting again…", flush=True)
        started = time.monotonic()
        services = json.loads(govbus(workdir, "up", *UP, "--json"))
        figures["cold_start_s"] = round(time.monotonic() - started, 1)
        figures["ready_in_s"] = {name: round(status["ready_in_s"] or 0, 1) for name, status in services.items()}
        pids = [status["pid"] for status in services.values()]
        figures["memory_after_up"] = stack_memory(pids)

        project = load_project(workdir)
        # With the broker's security on, act as the admin `govbus up` made, as the CLI does.
        adopt_credentials(project)
        settings = KafkaSettings()
        apply_topics(desired_topics(project), settings)
        watch = Watch(Store(StoreSettings().resolved_url(project.state_dir)), SUBJECT)
        records = people(args.events + args.burst, seed=int(time.time()))
        warm_up, measured = records[: args.burst], records[args.burst :]
        sent: dict[str, float] = {}
        print(f"stack up in {figures['cold_start_s']}s; warm-up burst of {len(warm_up)} events…", flush=True)
        send(project, settings, warm_up, sent)
        wait_for(watch, list(sent), time.time() + 600)
        if any(watch.done(national_id) is None for national_id in sent):
            raise SystemExit("the warm-up events were not landed, validated and linked within 600s")
        figures["warm_up_s"] = round(max(watch.done(n) for n in sent) - min(sent.values()), 1)

        measuring_from = time.time()
        sent.clear()
        next_burst = time.time()
        for first in range(0, len(measured), args.burst):
            send(project, settings, measured[first : first + args.burst], sent)
            next_burst += args.every
            while time.time() < next_burst:
                watch.poll()
                time.sleep(0.5)
        wait_for(watch, list(sent), time.time() + args.settle)
        figures["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
        figures["memory_after_events"] = stack_memory(pids)
        figures.update(measure_freshness(watch, sent))
        figures.update(airflow_phases(f"http://127.0.0.1:{os.environ['GOVBUS_STACK_AIRFLOW_PORT']}", measuring_from))
    except BaseException:
        print(f"stopped early; the stack's copy and its logs stay in {workdir}", file=sys.stderr)
        raise
    finally:
        govbus(workdir, "down")
    shutil.rmtree(workdir, ignore_errors=True)
    print_table(figures, args)
    finish(figures)


def measure_freshness(watch: Watch, sent: dict[str, float]) -> dict:
    # An event that never got there counts as infinitely late, so the percentiles are over every event sent.
    stages = {stage: [watch.seen.get(n, {}).get(stage, math.inf) - at for n, at in sent.items()] for stage in ("landed", "validated", "linked")}
    freshness = [(watch.done(n) or math.inf) - at for n, at in sent.items()]
    fresh = [seconds for seconds in freshness if math.isfinite(seconds)]
    figures = {"events": len(sent), "events_fresh": len(fresh), "events_never_fresh": len(sent) - len(fresh)}
    figures.update({f"freshness_p{q}_s": percentile(freshness, q) for q in (50, 95)})
    figures["freshness_max_s"] = round(max(fresh), 2) if fresh else None
    for stage, seconds in stages.items():
        figures.update({f"{stage}_p{q}_s": percentile(seconds, q) for q in (50, 95)})
    return figures


def print_table(f: dict, args) -> None:
    memory = max(f["memory_after_up"]["rss_mib"], f["memory_after_events"]["rss_mib"]) / 1024
    print(f"\n{f['events']} events in bursts of {args.burst} every {args.every:g}s; load average {f['load_average_at_start']} -> {f['load_average_at_end']}")
    print(f"{'':<28}{'p50 s':>8}{'p95 s':>8}")
    for stage in ("landed", "validated", "linked", "freshness"):
        print(f"{stage + (' (validated and linked)' if stage == 'freshness' else ''):<28}{f[f'{stage}_p50_s']!s:>8}{f[f'{stage}_p95_s']!s:>8}")
    for task in ("land", "validate_batch", "reconcile"):
        print(f"task {task:<23}queued->running p50 {f[f'{task}_queued_to_running_p50_s']}s, running p50 {f[f'{task}_running_p50_s']}s")
    print(
        f"freshness p95 / target: {(f['freshness_p95_s'] or float('inf')) / TARGETS['p95_s']:.2f}x; "
        f"cold start {f['cold_start_s']}s / {TARGETS['cold_start_s']:g}s = {f['cold_start_s'] / TARGETS['cold_start_s']:.2f}x "
        f"(first of a fresh project, migration included: {f['first_start_s']}s); "
        f"RSS {memory:.2f} GiB (PSS {f['memory_after_events']['pss_mib'] / 1024:.2f} GiB) / {TARGETS['memory_gib']:g} GiB = {memory / TARGETS['memory_gib']:.2f}x; "
        f"not fresh within {args.settle:g}s of the last burst (counted as late, a None percentile): {f['events_never_fresh']} of {f['events']}\n"
    )


if __name__ == "__main__":
    main()
