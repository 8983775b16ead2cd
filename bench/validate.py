"""Contract enforcement cost: batch validation through govbus against bare GX, and per-record checks.

    python bench/validate.py                    # 1,000,000 rows, 100,000 records, 50,000 published
    python bench/validate.py --rows 100000 --records 20000 --published 0

Batch: the population-registered-residents contract (field rules, completeness, freshness, row
count, a distribution) over a landed batch of person rows, once through govbus (file context,
checkpoint, Data Docs, typed results, store) and once through bare GX (ephemeral context, the same
expectations, ``batch.validate``). Per record: the publish path's work without a broker (the
schema check and Avro encoding pass) with and without the contract's compiled checks, on the same records;
then, as ``bench/publish.py`` does, through the Publisher to a real broker with the checks on and off.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from common import REPO, Stopwatch, bench_broker, default_bootstrap, finish, rate
from publish import CITIES, FAMILY, GIVEN, STREETS, make_topics, people

from govbus import codec
from govbus.bus.publisher import Publisher
from govbus.contracts.loader import load_contracts
from govbus.contracts.rules import ContractCheck
from govbus.errors import ContractViolation
from govbus.project import load_project
from govbus.settings import KafkaSettings

CONTRACT = "population-registered-residents"
# A landed batch is never perfect: a few bad postcodes, reused ids and impossible dates.
BAD_SHARE = 0.001
CHUNK = 2000


def person_frame(rows: int, now: datetime, seed: int = 7) -> pd.DataFrame:
    """``rows`` landed person events, built column-wise so a million rows take seconds."""
    rng = np.random.default_rng(seed)
    born = pd.to_datetime("1930-01-01") + pd.to_timedelta(rng.integers(0, 78 * 365, rows), unit="D")
    dob = pd.Series(born.strftime("%Y-%m-%d"))
    serial = pd.Series(np.arange(rows) % 10000).astype(str).str.zfill(4)
    frame = pd.DataFrame(
        {
            "national_id": dob.str.replace("-", "", regex=False) + "-" + serial,
            "given_name": rng.choice(GIVEN, rows),
            "family_name": rng.choice(FAMILY, rows),
            "date_of_birth": dob,
            "sex": rng.choice(["F", "M", "X"], rows, p=[0.5, 0.49, 0.01]),
            "street": pd.Series(rng.choice(STREETS, rows)) + " " + pd.Series(rng.integers(1, 200, rows)).astype(str),
            "postcode": pd.Series(rng.integers(10000, 99999, rows)).astype(str),
            "city": rng.choice(CITIES, rows),
            "civil_status": rng.choice(np.array(["single", "married", "divorced", "widowed", None], dtype=object), rows),
            "passport_number": None,
            "occurred_at": (now - pd.to_timedelta(rng.integers(0, 3600, rows), unit="s")).strftime("%Y-%m-%dT%H:%M:%S.000+00:00"),
        }
    )
    bad = rng.choice(rows, max(1, int(rows * BAD_SHARE)), replace=False)
    frame.loc[bad[0::3], "postcode"] = "1234"
    frame.loc[bad[1::3], "national_id"] = frame.loc[0, "national_id"]
    frame.loc[bad[2::3], "date_of_birth"] = "1980-13-01"
    return frame


def govbus_run(project, contract, frame: pd.DataFrame, now: datetime):
    from govbus.contracts.batches import FrameBatch
    from govbus.contracts.history import record_run
    from govbus.contracts.validate import validate_batch
    from govbus.store import Store

    store = Store.for_project(project)
    store.migrate()
    with Stopwatch() as watch:
        run = validate_batch(project, contract, FrameBatch(frame, "bench"), now=now)
        record_run(store, run)
    return watch.seconds, run


def bare_gx_run(contract, frame: pd.DataFrame, now: datetime):
    """The same expectations, with nothing but GX: an ephemeral context and ``batch.validate``."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from govbus.contracts.suite import build_suite, plan
    from govbus.contracts.validate import RESULT_FORMAT

    parsed = frame.assign(occurred_at=pd.to_datetime(frame["occurred_at"], utc=True, format="ISO8601"))
    with Stopwatch() as watch:
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        suite = context.suites.add(build_suite(contract, plan(contract, now)))
        asset = context.data_sources.add_pandas("bare").add_dataframe_asset("people")
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": parsed})
        result = batch.validate(suite, result_format=RESULT_FORMAT)
    return watch.seconds, result


def per_record(project, contract, count: int, repeats: int) -> dict:
    """Each loop runs over small chunks in turn, best of ``repeats`` per chunk, so load from other
    work on the machine hits all three alike and distorts the ratio less."""
    schema = project.registry.get(contract.dataset.subject)
    records = people(count)
    for index in range(0, count, int(1 / BAD_SHARE)):
        records[index]["postcode"] = "1234"
    check = ContractCheck.on_schemas(contract, project.registry)
    enforce = check.enforce

    def checked(record: dict) -> None:
        # As the publisher calls a check: a breach is an exception it routes, not a crash.
        try:
            enforce(record)
        except ContractViolation:
            pass

    def checks_only(chunk: list[dict]) -> None:
        for record in chunk:
            checked(record)

    def publish_path(chunk: list[dict], with_checks: bool) -> None:
        # As the publisher does: one pass checks the record against its schema and encodes it.
        for record in chunk:
            codec.encode(record, schema)
            if with_checks:
                checked(record)

    loops = {"checks": checks_only, "without": lambda c: publish_path(c, False), "with": lambda c: publish_path(c, True)}
    best = dict.fromkeys(loops, 0.0)
    for start in range(0, count, CHUNK):
        chunk = records[start : start + CHUNK]
        times: dict[str, list[float]] = {name: [] for name in loops}
        for _ in range(repeats):
            for name, loop in loops.items():
                with Stopwatch() as watch:
                    loop(chunk)
                times[name].append(watch.seconds)
        for name in loops:
            best[name] += min(times[name])
    return {
        "records": count,
        "record_checks_per_s": round(rate(count, best["checks"])),
        "record_rules": len(check.rules),
        "publish_path_per_s_without_checks": round(rate(count, best["without"])),
        "publish_path_per_s_with_checks": round(rate(count, best["with"])),
        "publish_throughput_cost_percent": round(100 * (1 - best["without"] / best["with"]), 2),
    }


def broker_publish(project, contract, count: int, bootstrap: str | None) -> dict:
    """End to end with a broker: the same good records published with the checks off and on, twice each."""
    records = people(count)
    enforce = ContractCheck.on_schemas(contract, project.registry).enforce
    seconds: dict[str, list[float]] = {"off": [], "on": []}
    with bench_broker(bootstrap) as address:
        settings = KafkaSettings(bootstrap_servers=address)
        for mode in ("off", "on", "off", "on"):
            topic, _ = make_topics(project, settings, 3)
            checks = {topic: [enforce]} if mode == "on" else None
            with Publisher(project, settings, checks=checks) as publisher, Stopwatch() as watch:
                receipt = publisher.publish(topic, records)
            assert receipt.sent == count and receipt.balanced, receipt.to_dict()
            seconds[mode].append(watch.seconds)
    off, on = min(seconds["off"]), min(seconds["on"])
    return {
        "published": count,
        "broker_publish_per_s_checks_off": round(rate(count, off)),
        "broker_publish_per_s_checks_on": round(rate(count, on)),
        "broker_publish_cost_percent": round(100 * (1 - off / on), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="Rows in the validated batch.")
    parser.add_argument("--records", type=int, default=100_000, help="Records for the per-record checks.")
    parser.add_argument("--repeats", type=int, default=3, help="Repeats of the per-record loops (best is kept).")
    parser.add_argument("--batch-repeats", type=int, default=2, help="Repeats of each batch validation (best is kept).")
    parser.add_argument("--published", type=int, default=50_000, help="Records published through a broker (0: skip).")
    parser.add_argument("--bootstrap", default=default_bootstrap(), help="Existing broker (default: start a private one).")
    args = parser.parse_args()

    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="govbus-bench-validate-") as folder:
        root = Path(folder)
        for name in ("govbus.yaml", "schemas", "contracts"):
            (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
        project = load_project(root)
        contract = next(c for c in load_contracts(project.contracts_dir) if c.id == CONTRACT)
        # Per record first: a million-row frame alive would make every garbage collection slow.
        records = per_record(project, contract, args.records, args.repeats)
        if args.published:
            records.update(broker_publish(project, contract, args.published, args.bootstrap))
        frame = person_frame(args.rows, now)
        print(f"{args.rows:,} person rows, {len(contract.field_rules())} field rules in {CONTRACT} ({contract.agreement.ref})")
        # Alternated and the best of each kept, so a busy machine favours neither side.
        bare_times, govbus_times = [], []
        for _ in range(args.batch_repeats):
            bare_seconds, bare = bare_gx_run(contract, frame, now)
            govbus_seconds, run = govbus_run(project, contract, frame, now)
            bare_times.append(bare_seconds)
            govbus_times.append(govbus_seconds)
        bare_seconds, govbus_seconds = min(bare_times), min(govbus_times)

    failing = sorted({r.clause for r in run.rules if r.status.value != "passed"})
    bare_failing = sum(1 for r in bare.results if not r.success)
    govbus_failing = sum(1 for r in run.rules if r.status.value != "passed")
    figures = {
        "rows": args.rows,
        "expectations": len(bare.results),
        "govbus_seconds": round(govbus_seconds, 2),
        "bare_gx_seconds": round(bare_seconds, 2),
        "govbus_to_bare_gx_ratio": round(govbus_seconds / bare_seconds, 3),
        "govbus_rows_per_s": round(rate(args.rows, govbus_seconds)),
        "failing_clauses": failing,
        **records,
    }
    print(f"batch    govbus {govbus_seconds:7.2f}s | bare GX {bare_seconds:7.2f}s | ratio {figures['govbus_to_bare_gx_ratio']} (target <= 1.2)")
    print(f"         {len(bare.results)} expectations, failing: govbus {govbus_failing} rule results, bare GX {bare_failing}; clauses {', '.join(failing)}")
    print(f"record   {records['record_checks_per_s']:,} checks/s ({records['record_rules']} rules each)")
    print(
        f"publish  {records['publish_path_per_s_without_checks']:,}/s without checks | {records['publish_path_per_s_with_checks']:,}/s with | "
        f"cost {records['publish_throughput_cost_percent']}% of the check-and-encode pass alone (no broker)"
    )
    if args.published:
        print(
            f"broker   {records['broker_publish_per_s_checks_off']:,}/s checks off | {records['broker_publish_per_s_checks_on']:,}/s on | "
            f"cost {records['broker_publish_cost_percent']}% of end-to-end publish throughput (target <= 10%)"
        )
    finish(figures)


if __name__ == "__main__":
    main()
