"""A retirement killed (SIGKILL) at every step loses nothing and resumes to the end.

For each step, the ``govbus holdings retire`` process is killed right after the step's work, and
again right after recording it. Whatever the moment, the agency database holds either the original
table, unchanged, or the view with a verified archive beside it; the rerun finishes the job, and
the restore gives back the identical table, ready for the next kill point.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from govbus.bus.topics import apply_topics, desired_topics
from govbus.codec import decode
from govbus.holdings import approve, load_catalogue, plan_all, restore, retire, scan_all
from govbus.holdings.agency import table_state
from govbus.holdings.archive import ordered_rows, read_manifest
from govbus.holdings.retire import RETIRED, archive_folder
from govbus.holdings.steps import CRASH_AT, STEPS
from govbus.holdings.verify import table_digest, verify_archive
from govbus.registry.events import registry_publisher, topic_for
from govbus.store import Store

KILL_POINTS = [point for step in STEPS for point in (step, f"{step}+recorded")]
LAYOUT = {"table": "tax_taxpayer_address", "order_by": ["tax_id"],
          "columns": [{"name": n, "avro": "string"} for n in ("tax_id", "street", "postcode", "city")]}
GOVBUS = str(Path(sys.executable).with_name("govbus"))


def test_killing_the_retirement_at_every_step_loses_nothing(holdings_project, fresh_store, agency_url, tax_holding,
                                                           kafka_settings, read_topic, report_counts):
    apply_topics([t for t in desired_topics(holdings_project) if t.name.startswith(RETIRED)], kafka_settings)
    agency = Store(agency_url)
    original = _digest(agency)
    holding = load_catalogue(holdings_project).holding("tax_taxpayer_address")
    environment = {**os.environ, "GOVBUS_STORE_URL": fresh_store.url, "GOVBUS_KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
                   "GOVBUS_KAFKA_SECURITY_PROTOCOL": kafka_settings.security_protocol}
    if kafka_settings.sasl_mechanism:
        environment |= {"GOVBUS_KAFKA_SASL_MECHANISM": kafka_settings.sasl_mechanism, "GOVBUS_KAFKA_SASL_USERNAME": kafka_settings.sasl_username,
                        "GOVBUS_KAFKA_SASL_PASSWORD": kafka_settings.sasl_password.get_secret_value()}
    plan_of: dict[str, str] = {}
    for point in KILL_POINTS:
        scan_all(holdings_project, fresh_store)
        plan_id = plan_all(holdings_project, fresh_store).plans[0].plan_id
        approve(holdings_project, fresh_store, plan_id, by="anna.steward", reason=f"crash test at {point}")
        killed = subprocess.run([GOVBUS, "--project", str(holdings_project.root), "holdings", "retire", plan_id, "--execute"],
                                env={**environment, CRASH_AT: point}, capture_output=True, text=True, timeout=300)
        assert killed.returncode == -signal.SIGKILL, f"{point}: {killed.stderr}"

        with agency.begin() as connection:
            state = table_state(connection, "tax_taxpayer_address")
        if state == "table":
            assert _digest(agency) == original, f"killed at {point}: the original table changed"
        else:
            assert state == "view", f"killed at {point}: neither the table nor its replacement is there"
            folder = archive_folder(holdings_project, plan_id, holding)
            manifest = read_manifest(folder)
            verify_archive(folder, manifest)
            assert (manifest["rows"], manifest["content_sha256"]) == original

        with registry_publisher(holdings_project, kafka_settings) as publisher:
            resumed = retire(holdings_project, fresh_store, plan_id, execute=True, publisher=publisher)
        assert resumed.step == "announced", point
        assert (resumed.manifest["rows"], resumed.manifest["content_sha256"]) == original
        restore(holdings_project, fresh_store, "tax_taxpayer_address", by="anna.steward", reason=f"after {point}")
        assert _digest(agency) == original, f"restore after a kill at {point}"
        plan_of[plan_id] = point

    announced = Counter(decode(m.value, holdings_project.registry).record["plan_id"]
                        for m in read_topic(kafka_settings, topic_for(holdings_project, RETIRED)))
    # Killed after publishing but before recording it, the rerun announces again: at least once.
    assert {plan_of[p]: n for p, n in announced.items()} == {point: 2 if point == "announced" else 1 for point in KILL_POINTS}
    report_counts(f"holdings crash/resume on {fresh_store.dialect}: {len(KILL_POINTS)} kill points, {original[0]} rows each, none lost")


def _digest(agency: Store) -> tuple[int, str]:
    with agency.begin() as connection:
        return table_digest(ordered_rows(connection, LAYOUT))
