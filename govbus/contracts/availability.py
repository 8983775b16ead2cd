"""Measured availability: the share of time windows in which a contract's topic accepted publishes.

A probe asks the broker, once per contract, whether the topic exists and every partition has a
leader, which is what a publish needs; a broker that does not answer makes every topic
unavailable for that probe. Probes are kept in the store; a window (an hour by default) counts
as available when every probe in it found the topic available, and windows without a probe are
not counted, so the figure says how many windows it rests on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from govbus.bus import clients
from govbus.contracts.loader import contracts_in
from govbus.contracts.tables import availability_probe
from govbus.errors import GovbusError
from govbus.project import Project
from govbus.settings import KafkaSettings
from govbus.store import Store

WINDOW = timedelta(hours=1)
PERIOD = timedelta(days=30)  # agreements state availability per month


@dataclass(frozen=True)
class Probe:
    contract: str
    agreement: str
    topic: str
    available: bool
    detail: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class MeasuredAvailability:
    """``available`` of ``windows`` probed windows in the period, against the agreement's target."""

    windows: int
    available: int
    target: float

    @property
    def share(self) -> float | None:
        return self.available / self.windows if self.windows else None

    @property
    def met(self) -> bool | None:
        return None if self.share is None else self.share >= self.target


def probe_topics(project: Project, store: Store, settings: KafkaSettings | None = None, *, now: datetime | None = None) -> list[Probe]:
    """Probe every contract's topic once and keep the outcomes."""
    contracts = contracts_in(project.contracts_dir)
    try:
        leaders = _partition_leaders(settings or KafkaSettings(), [c.dataset.topic for c in contracts])
        outcome = {topic: _verdict(leaders.get(topic)) for topic in leaders}
    except GovbusError as exc:
        outcome = {c.dataset.topic: (False, str(exc)) for c in contracts}
    probes = [Probe(c.id, c.agreement.ref, c.dataset.topic, *outcome[c.dataset.topic]) for c in contracts]
    at = now or datetime.now(timezone.utc)
    if probes:
        with store.begin() as connection:
            connection.execute(insert(availability_probe), [
                {"contract_id": p.contract, "agreement_ref": p.agreement, "topic": p.topic, "probed_at": at,
                 "available": p.available, "detail": p.detail} for p in probes])
    return probes


def measured_availability(project: Project, store: Store, *, now: datetime | None = None) -> dict[str, MeasuredAvailability]:
    """Contract id -> its availability over the last ``PERIOD``, for contracts that state a target."""
    since = (now or datetime.now(timezone.utc)) - PERIOD
    query = select(availability_probe.c.contract_id, availability_probe.c.probed_at, availability_probe.c.available).where(
        availability_probe.c.probed_at >= since)
    windows: dict[str, dict[int, bool]] = {}
    with store.begin() as connection:
        for contract, probed_at, available in connection.execute(query):
            window = int(_aware(probed_at).timestamp() // WINDOW.total_seconds())
            own = windows.setdefault(contract, {})
            own[window] = own.get(window, True) and bool(available)
    measured = {}
    for contract in contracts_in(project.contracts_dir):
        level = contract.agreement.service_levels.availability
        if level is not None:
            seen = windows.get(contract.id, {})
            measured[contract.id] = MeasuredAvailability(len(seen), sum(seen.values()), level.at_least)
    return measured


def _partition_leaders(settings: KafkaSettings, topics: list[str]) -> dict[str, list[int]]:
    """Topic -> each partition's leader (-1 for none); topics the broker does not know are left out."""
    admin = clients.admin(settings)
    try:
        with clients.broker_faults("probing topic availability", settings):
            known = set(admin.list_topics())
            wanted = sorted(set(topics) & known)
            described = admin.describe_topics(wanted) if wanted else []
    finally:
        admin.close()
    leaders = {t["name"]: [p["leader_id"] for p in t["partitions"]] for t in described}
    return {topic: leaders.get(topic, []) if topic in known else None for topic in topics}


def _verdict(leaders: list[int] | None) -> tuple[bool, str]:
    if leaders is None:
        return False, "the broker has no such topic"
    if not leaders:
        return False, "the topic has no partitions"
    leaderless = sum(1 for leader in leaders if leader < 0)
    if leaderless:
        return False, f"{leaderless} of {len(leaders)} partitions have no leader"
    return True, f"{len(leaders)} partitions, each with a leader"


def _aware(moment: datetime) -> datetime:
    # SQLite hands times back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
