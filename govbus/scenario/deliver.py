"""Each agency sends its events under its own identity: through its connector, or the SDK directly.

Both paths end in ``Publisher.publish`` with the contracts' checks, so schema breaches are
dead-lettered and contract breaches quarantined the same way; the tally adds up per delivery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from govbus.bus.publisher import Publisher
from govbus.connectors import find_definition, run_source
from govbus.contracts import checks_for
from govbus.project import Project
from govbus.scenario.plan import Delivery
from govbus.security.credentials import issue, secrets_folder, settings_as
from govbus.security.principals import ADMIN
from govbus.store import Store


@dataclass
class Tally:
    """What became of one delivery's events."""

    agency: str
    topic: str
    route: str
    published: int = 0
    accepted: int = 0
    quarantined: int = 0
    dead_lettered: int = 0
    refused: int = 0  # rejected without a dead letter (an oversized event)
    failed: int = 0

    @property
    def balanced(self) -> bool:
        return self.published == self.accepted + self.quarantined + self.dead_lettered + self.refused + self.failed

    def to_dict(self) -> dict:
        return asdict(self)


def deliver(project: Project, store: Store, delivery: Delivery) -> Tally:
    """Send one delivery and count where its events went."""
    topic = project.topic_for_subject(delivery.subject).name
    if delivery.connector:
        run = run_source(find_definition(project, delivery.connector), project, store=store)
        outcome, rejections = run.outcome, run.outcome.rejections
        tally = Tally(delivery.agency, topic, f"connector {delivery.connector}", outcome.read, outcome.sent, outcome.quarantined, failed=outcome.failed)
    else:
        with Publisher(project, settings_as(project, delivery.agency), checks=checks_for(project)) as publisher:
            receipt = publisher.publish(topic, delivery.records, agency=delivery.agency)
        rejections = receipt.rejections
        tally = Tally(delivery.agency, topic, "publisher", receipt.read, receipt.sent, receipt.quarantined, failed=receipt.failed)
    tally.dead_lettered = sum(1 for rejection in rejections if rejection.dead_lettered)
    tally.refused = len(rejections) - tally.dead_lettered
    return tally


def agency_identities(project: Project, agencies: set[str]) -> list[str]:
    """On a broker with security on (the admin's password is kept), give each agency lacking one its credential."""
    folder = secrets_folder(project)
    if folder.get(ADMIN) is None:
        return []
    missing = sorted(agency for agency in agencies if folder.get(agency) is None)
    for agency in missing:
        issue(project, agency, settings_as(project, ADMIN))
    return missing


def deliver_all(project: Project, store: Store, deliveries: list[Delivery], on_delivered: Callable[[Tally], None] | None = None) -> list[Tally]:
    agency_identities(project, {delivery.agency for delivery in deliveries})
    tallies = []
    for delivery in deliveries:
        tallies.append(deliver(project, store, delivery))
        if on_delivered:
            on_delivered(tallies[-1])
    return tallies
