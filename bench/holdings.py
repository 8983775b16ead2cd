"""Retiring a large holding: scan plus retirement against the raw cost of reading it and writing Avro.

    python bench/holdings.py --rows 1000000 [--pg-url postgresql+psycopg://govbus:govbus@127.0.0.1:55432/govbus]

A scratch store is filled (untimed) with a registry of ``--rows`` people, each linked to one row
of the tax agency's address table (1 % unlinked, 3 % with an address the register changed since);
the table sits in the store's database, as the replacement view needs. Then, side by side:

- baseline: the table read through the driver and written to deflate Avro with fastavro;
- govbus: ``scan_all`` (coverage, agreement, staleness) and the whole retirement of the approved
  plan: archive (rows read ahead by a thread, encoded and hashed on every core), read-back
  verification (every record decoded, on every core), write-guard check and swap to the view
  under a lock, drop, announce.

Target: scan + retirement <= 2x the baseline, in wall time. CPU time is shown beside it (this
process and the forked ones it waited for; the database server's is in neither), so a reader sees
how much of the machine's two cores govbus used. The restore is timed too, for information. The
last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fastavro
import yaml
from common import REPO, Stopwatch, bench_broker, default_bootstrap, finish, rate
from sqlalchemy import insert

from govbus.bus.topics import apply_topics, desired_topics
from govbus.holdings import approve, plan_all, restore, retire, scan_all
from govbus.holdings.retire import RETIRED
from govbus.project import load_project
from govbus.registry.events import registry_publisher
from govbus.registry.tables import person, person_xref
from govbus.settings import KafkaSettings
from govbus.store.scratch import scratch_store

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
_BATCH = 50_000


def taxpayer(n: int) -> tuple[str, str, str, str]:
    return (f"{19000000 + n:08d}-{n % 10000:04d}", f"Storgatan {n % 997}", f"{10000 + n % 89999}", "Norrvik")


class Clocks(Stopwatch):
    """Wall time, and the CPU time of this process and of the children it has waited for (the forked encoders)."""

    def __enter__(self) -> "Clocks":
        self.cpu_started = _cpu()
        return super().__enter__()

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        self.cpu = _cpu() - self.cpu_started


def _cpu() -> float:
    return sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


def fill(store, rows: int) -> None:
    """The registry and the tax agency's table, written in batches (not timed)."""
    with store.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE tax_taxpayer_address (tax_id VARCHAR(20) PRIMARY KEY, "
                                   "street VARCHAR(100), postcode VARCHAR(10), city VARCHAR(50))")
    marker = "?" if store.dialect == "sqlite" else "%s"
    for start in range(0, rows, _BATCH):
        taxpayers = [taxpayer(n) for n in range(start, min(rows, start + _BATCH))]
        people, links = [], []
        for n, (tax_id, street, postcode, _) in enumerate(taxpayers, start):
            if n % 100 == 99:
                continue  # unlinked
            moved = n % 100 < 3
            golden_street = f"hamngatan {n % 313}" if moved else street.lower()
            pid = f"P{n:09d}"
            people.append({"person_id": pid, "created_at": T0, "updated_at": T0, "conflicts": {},
                           "golden": {"street": {"value": golden_street, "source": "population", "record_id": tax_id},
                                      "postcode": {"value": postcode, "source": "population", "record_id": tax_id}}})
            links += [
                {"source": "tax", "record_id": tax_id, "person_id": pid, "match_probability": 1.0, "model_version": "bench",
                 "linked_at": T0, "street": street.lower(), "observed_at": T0},
                {"source": "population", "record_id": tax_id, "person_id": pid, "match_probability": 1.0, "model_version": "bench",
                 "linked_at": T0, "street": golden_street, "observed_at": T0 + timedelta(days=30 if moved else -30)},
            ]
        with store.begin() as connection:
            connection.execute(insert(person), people)
            connection.execute(insert(person_xref), links)
            connection.exec_driver_sql(f"INSERT INTO tax_taxpayer_address VALUES ({marker}, {marker}, {marker}, {marker})", taxpayers)
    if store.dialect == "postgresql":
        with store.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def baseline(store, folder: Path) -> int:
    """Read the table through the driver and write it to deflate Avro: the least any archive costs."""
    schema = fastavro.parse_schema({"type": "record", "name": "Row", "fields": [
        {"name": n, "type": ["null", "string"]} for n in ("tax_id", "street", "postcode", "city")]})
    count = 0
    with store.begin() as connection, (folder / "baseline.avro").open("wb") as out:
        cursor = connection.exec_driver_sql("SELECT tax_id, street, postcode, city FROM tax_taxpayer_address")

        def records():
            nonlocal count
            while batch := cursor.fetchmany(20_000):
                count += len(batch)
                for tax_id, street, postcode, city in batch:
                    yield {"tax_id": tax_id, "street": street, "postcode": postcode, "city": city}

        fastavro.writer(out, schema, records(), codec="deflate")
    return count


def project_copy(folder: Path):
    root = folder / "project"
    for name in ("schemas", "contracts"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "govbus.yaml", root / "govbus.yaml")
    path = root / "contracts" / "holdings" / "catalogue.yaml"
    catalogue = yaml.safe_load(path.read_text())
    catalogue["holdings"] = {"tax_taxpayer_address": catalogue["holdings"]["tax_taxpayer_address"]}
    catalogue["policy"]["archive_dir"] = str(folder / "archive")
    path.write_text(yaml.safe_dump(catalogue))
    return load_project(root)


def measure(rows: int, pg_url: str | None, bootstrap: str, work: Path) -> dict:
    os.environ.pop("GOVBUS_HOLDINGS_TAX_URL", None)  # the holding sits in the store's database
    project = project_copy(work)
    settings = KafkaSettings(bootstrap_servers=bootstrap)
    apply_topics([t for t in desired_topics(project) if t.name == RETIRED], settings)
    with scratch_store(work, pg_url) as store:
        store.migrate()
        with Stopwatch() as setup:
            fill(store, rows)
        loads = [os.getloadavg()[0]]  # the timed part's start and end: the other runs on the machine move it
        with Clocks() as base:
            read = baseline(store, work)
        with Clocks() as scan:
            (report,) = scan_all(project, store).holdings
        (plan,) = plan_all(project, store).plans
        approve(project, store, plan.plan_id, by="bench", reason="benchmark")
        with registry_publisher(project, settings) as publisher, Clocks() as retirement:
            outcome = retire(project, store, plan.plan_id, execute=True, publisher=publisher)
        loads.append(os.getloadavg()[0])
        with Stopwatch() as back:
            restore(project, store, "tax_taxpayer_address", by="bench", reason="benchmark")
    assert read == report.rows == outcome.manifest["rows"] == rows
    govbus, govbus_cpu = scan.seconds + retirement.seconds, scan.cpu + retirement.cpu
    return {"store": store.dialect, "rows": rows, "setup_s": round(setup.seconds, 1), "load_average": [round(v, 2) for v in loads],
            "baseline_read_and_avro_s": round(base.seconds, 2), "scan_s": round(scan.seconds, 2),
            "retire_s": round(retirement.seconds, 2), "scan_plus_retire_s": round(govbus, 2),
            "ratio_to_baseline": round(govbus / base.seconds, 2), "restore_s": round(back.seconds, 2),
            "baseline_cpu_s": round(base.cpu, 2), "scan_cpu_s": round(scan.cpu, 2), "retire_cpu_s": round(retirement.cpu, 2),
            "scan_plus_retire_cpu_s": round(govbus_cpu, 2), "cpu_ratio_to_baseline": round(govbus_cpu / base.cpu, 2),
            "baseline_cores_used": round(base.cpu / base.seconds, 2), "govbus_cores_used": round(govbus_cpu / govbus, 2),
            "baseline_rows_per_s": round(rate(rows, base.seconds)), "scan_rows_per_s": round(rate(rows, scan.seconds)),
            "coverage": report.coverage, "agreement": report.agreement, "staleness": report.staleness,
            "archive_files": len(outcome.manifest["files"]), "target_ratio": 2.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="Rows in the holding (the issue's figure is 1000000).")
    parser.add_argument("--pg-url", default=os.environ.get("GOVBUS_TEST_POSTGRES_URL"), help="Also run on this PostgreSQL.")
    parser.add_argument("--bootstrap", default=default_bootstrap(), help="Existing broker (default: start a private one).")
    args = parser.parse_args()
    figures: dict = {"load_average_at_start": [round(v, 2) for v in os.getloadavg()], "runs": []}
    with bench_broker(args.bootstrap) as bootstrap:
        for url in [None, args.pg_url] if args.pg_url else [None]:
            with tempfile.TemporaryDirectory(prefix="govbus-bench-holdings-") as work:
                run = measure(args.rows, url, bootstrap, Path(work))
            print(f"{run['store']}: {run['rows']} rows; baseline {run['baseline_read_and_avro_s']} s, scan {run['scan_s']} s, "
                  f"retire {run['retire_s']} s -> {run['ratio_to_baseline']}x the baseline (target <= 2x); "
                  f"restore {run['restore_s']} s", flush=True)
            print(f"{run['store']}: CPU baseline {run['baseline_cpu_s']} s, scan {run['scan_cpu_s']} s, retire "
                  f"{run['retire_cpu_s']} s -> {run['cpu_ratio_to_baseline']}x; cores used: baseline "
                  f"{run['baseline_cores_used']}, govbus {run['govbus_cores_used']}; load average {run['load_average']}", flush=True)
            figures["runs"].append(run)
    figures["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    finish(figures)


if __name__ == "__main__":
    main()
