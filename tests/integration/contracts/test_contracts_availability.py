"""Availability is measured on a real broker: each probe asks whether a contract's topic takes publishes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import typer
from typer.testing import CliRunner

from govbus.bus.topics import apply_topics, desired_topics
from govbus.cli import contracts as contracts_cli
from govbus.cli.context import CliState
from govbus.contracts.availability import measured_availability, probe_topics
from govbus.settings import KafkaSettings

NOW = datetime(2026, 6, 1, 12, 30, tzinfo=timezone.utc)
ADDRESSES = "population-address-changes"


def test_probes_find_what_takes_publishes_and_measure_the_windows(demo_project, kafka_settings, sqlite_store, find_free_ports, monkeypatch):
    project = demo_project()
    addresses = f"population.person.address_changed.{project.suffix}"
    apply_topics([s for s in desired_topics(project) if s.name == addresses], kafka_settings)

    up = {p.contract: p for p in probe_topics(project, sqlite_store, kafka_settings, now=NOW - timedelta(hours=2))}
    assert up[ADDRESSES].available and up[ADDRESSES].detail == "3 partitions, each with a leader"
    # Every other contract's topic was never created here: nothing could be published to it.
    assert not any(p.available for c, p in up.items() if c != ADDRESSES)
    assert {p.detail for c, p in up.items() if c != ADDRESSES} == {"the broker has no such topic"}

    # A broker that does not answer (nothing listens on this port) makes every topic unavailable.
    (port,) = find_free_ports(1)
    away = KafkaSettings(bootstrap_servers=f"127.0.0.1:{port}", request_timeout_ms=3000)
    down = probe_topics(project, sqlite_store, away, now=NOW - timedelta(hours=1))
    assert down and not any(p.available for p in down) and "did not answer" in down[0].detail
    probe_topics(project, sqlite_store, kafka_settings, now=NOW)

    measured = measured_availability(project, sqlite_store, now=NOW)
    assert (measured[ADDRESSES].windows, measured[ADDRESSES].available) == (3, 2)
    assert measured[ADDRESSES].share == 2 / 3 and measured[ADDRESSES].met is False  # AGR-2026-014 promises 99.5%
    # Probes older than the month an agreement states availability for no longer count.
    assert measured_availability(project, sqlite_store, now=NOW + timedelta(days=30, minutes=-30))[ADDRESSES].windows == 1

    monkeypatch.setenv("GOVBUS_STORE_URL", sqlite_store.url)
    monkeypatch.setenv("GOVBUS_KAFKA_BOOTSTRAP_SERVERS", kafka_settings.bootstrap_servers)
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState(project_dir=project.root)

    app.add_typer(contracts_cli.app, name="contracts")
    shown = CliRunner().invoke(app, ["contracts", "probe", "--json"])
    assert shown.exit_code == 0, shown.output
    assert {p["contract"]: p["available"] for p in json.loads(shown.output)}[ADDRESSES] is True
