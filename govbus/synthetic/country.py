"""The synthetic country: people, every agency's records of them, and the truth kept apart.

People are drawn in fixed-size chunks, each with its own random stream derived from the seed, so
the output depends only on the seed and the number of people (the first 50 000 people of a
country of a million are the same as those of a country of 50 000), and memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govbus.synthetic.agencies import BUILDERS, RECORD_ID, migration_cases, record_numbers
from govbus.synthetic.identity import NationalIdIssuer
from govbus.synthetic.noise import NoiseRates
from govbus.synthetic.people import draw_people

CHUNK_PEOPLE = 50_000


@dataclass
class SyntheticCountry:
    """A country, or one chunk of it.

    Attributes:
        people: the truth about each person (``person_id`` and their real attributes).
        sources: each agency's records, named by source; no column says who the person is.
        truth: per source, ``record_id`` -> ``person_id``.
        cases: the Migration Board's cases, keyed by ``application_id``.
    """

    people: pd.DataFrame
    sources: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]
    cases: pd.DataFrame

    @property
    def record_count(self) -> int:
        return sum(len(frame) for frame in self.sources.values())

    def truth_frame(self) -> pd.DataFrame:
        """Every record's person: ``source``, ``record_id``, ``person_id``."""
        return pd.concat(
            [frame.assign(source=name)[["source", "record_id", "person_id"]] for name, frame in self.truth.items()],
            ignore_index=True,
        )


def iter_country(people: int, seed: int, noise: NoiseRates | None = None) -> Iterator[SyntheticCountry]:
    """The country chunk by chunk, in order."""
    noise = noise or NoiseRates()
    issuer = NationalIdIssuer()
    numbers = record_numbers()
    for chunk, first in enumerate(range(0, people, CHUNK_PEOPLE)):
        rng = np.random.default_rng([seed, chunk])
        folk = draw_people(rng, first, min(CHUNK_PEOPLE, people - first), issuer, noise)
        sources: dict[str, pd.DataFrame] = {}
        truth: dict[str, pd.DataFrame] = {}
        for name, build in BUILDERS.items():
            records = build(rng, folk, noise, numbers)
            truth[name] = pd.DataFrame({"record_id": records[RECORD_ID[name]], "person_id": records.pop("person_id")})
            sources[name] = records
        yield SyntheticCountry(folk, sources, truth, migration_cases(rng, sources["migration"], numbers))


def generate_country(people: int, seed: int, noise: NoiseRates | None = None) -> SyntheticCountry:
    """The whole country in memory; for tests and demos up to a few hundred thousand people."""
    chunks = list(iter_country(people, seed, noise))

    def joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True)

    return SyntheticCountry(
        people=joined([c.people for c in chunks]),
        sources={name: joined([c.sources[name] for c in chunks]) for name in BUILDERS},
        truth={name: joined([c.truth[name] for c in chunks]) for name in BUILDERS},
        cases=joined([c.cases for c in chunks]),
    )
