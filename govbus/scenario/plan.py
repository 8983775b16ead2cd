"""What a scenario run will do: the country, each agency's deliveries, and the truth to check against.

Everything here is drawn from the seed before anything is sent, so the expected outcome (how
many events each fate gets, how many real people the accepted records describe, which case
chains are complete) is known independently of what the bus and the DAGs then make of it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from govbus.errors import ConfigurationError
from govbus.scenario.faults import ACCEPTED, FATES, inject_faults
from govbus.synthetic.agencies import RECORD_ID
from govbus.synthetic.cases import CaseChains, case_chains
from govbus.synthetic.country import SyntheticCountry, generate_country
from govbus.synthetic.events import SUBJECTS, as_events
from govbus.synthetic.noise import NoiseRates

# People in the country per size; small fits in a few minutes on two cores with the stack up.
SIZES = {"small": 400, "medium": 5_000, "large": 50_000}
# Malformed copies come from the injected faults, counted, rather than from the generator's noise.
SCENARIO_NOISE = NoiseRates(date_typo=0.0, national_id_typo=0.0)
# Agencies whose legacy database a connector drains onto the bus; the others publish themselves.
CONNECTED = {"tax": "tax-taxpayer-roll", "municipality": "municipality-residents"}


@dataclass
class Delivery:
    """One agency's events for one subject, with each event's expected fate and person."""

    agency: str
    subject: str
    connector: str | None
    records: list[dict]
    fates: list[str]
    person_ids: list[str | None]

    def expected(self) -> Counter:
        return Counter(self.fates)


@dataclass
class ScenarioPlan:
    size: str
    people: int
    seed: int
    country: SyntheticCountry
    chains: CaseChains
    deliveries: list[Delivery] = field(default_factory=list)

    def expected(self) -> dict[str, int]:
        """The ground truth of the summary's counts."""
        fates = sum((d.expected() for d in self.deliveries), Counter())
        return {"published": sum(fates.values()), **{fate: fates[fate] for fate in FATES}}

    def persons(self) -> int:
        """Real people behind the accepted person records: what reconciliation should find."""
        return len({
            person
            for delivery in self.deliveries
            for person, fate in zip(delivery.person_ids, delivery.fates)
            if person is not None and fate == ACCEPTED
        })

    def complete_cases(self) -> list[str]:
        return self.chains.truth.loc[self.chains.truth["complete"], "case_id"].tolist()


def plan_scenario(size: str, seed: int = 1) -> ScenarioPlan:
    """The country of ``size`` people (see ``SIZES``) and every delivery its agencies will make."""
    if size not in SIZES:
        raise ConfigurationError(f"unknown scenario size {size!r} (known: {', '.join(SIZES)})")
    people = SIZES[size]
    country = generate_country(people, seed, SCENARIO_NOISE)
    rng = np.random.default_rng([seed, 6])
    chains = case_chains(rng, country.sources["migration"], country.truth["migration"], country.cases)
    plan = ScenarioPlan(size, people, seed, country, chains)
    for source, subject in SUBJECTS.items():
        frame = country.sources[source]
        records = list(as_events(frame))
        persons = _persons(country, source, frame)
        connector = CONNECTED.get(source)
        # Connected agencies' rows are read back from their databases as they are: no faults there.
        fates = [ACCEPTED] * len(records) if connector else inject_faults(rng, source, records)
        plan.deliveries.append(Delivery(source, subject, connector, records, fates, persons))
    person_of_case = chains.truth.set_index("case_id")["person_id"]
    for subject, steps in chains.steps.items():
        records = list(as_events(steps))
        # Only the embassy's application is a person record; later steps link through the case id.
        persons = steps["case_id"].map(person_of_case).tolist() if subject == "embassy.visa.application_received" else [None] * len(records)
        plan.deliveries.append(Delivery(subject.split(".")[0], subject, None, records, [ACCEPTED] * len(records), persons))
    return plan


def _persons(country: SyntheticCountry, source: str, frame: pd.DataFrame) -> list[str]:
    truth = country.truth[source].set_index("record_id")["person_id"]
    return frame[RECORD_ID[source]].map(truth).tolist()
