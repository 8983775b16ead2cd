"""The fictional country's map: cities, their streets and five-digit postcodes.

The map is fixed (it does not depend on the seed), so two runs with different seeds describe
different people in the same country. Street names are built from Faker's ``sv_SE`` parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from faker import Faker

from govbus.synthetic.names import LOCALE

# City, share of the population, postcode prefix. Norrvik is the city that keeps its own register.
CITIES: tuple[tuple[str, float, str], ...] = (
    ("Norrvik", 0.22, "112"), ("Sjöstad", 0.14, "213"), ("Älvby", 0.10, "302"),
    ("Granåsen", 0.08, "413"), ("Östermark", 0.08, "504"), ("Lindhamn", 0.07, "602"),
    ("Bergsund", 0.07, "703"), ("Havsvik", 0.06, "805"), ("Ekeby", 0.05, "871"),
    ("Strandholm", 0.05, "904"), ("Torsåker", 0.04, "931"), ("Vitsand", 0.04, "962"),
)
MUNICIPALITY_CITY = "Norrvik"
STREETS_PER_CITY = 60
HOUSE_NUMBERS = 150
_MAP_SEED = 2026


@dataclass(frozen=True)
class Addresses:
    """Parallel arrays of street (with house number), postcode and city."""

    street: np.ndarray
    postcode: np.ndarray
    city: np.ndarray


@dataclass(frozen=True)
class CountryMap:
    cities: np.ndarray
    city_weights: np.ndarray
    streets: np.ndarray  # [city, street] -> street name
    postcodes: np.ndarray  # [city, street] -> postcode

    def draw(self, rng: np.random.Generator, count: int) -> Addresses:
        """Random addresses, cities weighted by population."""
        city = rng.choice(len(self.cities), size=count, p=self.city_weights)
        street = rng.integers(0, self.streets.shape[1], size=count)
        number = rng.integers(1, HOUSE_NUMBERS + 1, size=count)
        street_names = pd.Series(self.streets[city, street]) + " " + pd.Series(number).astype(str)
        return Addresses(street_names.to_numpy(dtype=object), self.postcodes[city, street], self.cities[city])


@lru_cache(maxsize=1)
def country_map() -> CountryMap:
    """The fixed map: each city gets its own streets, each street a postcode in the city's range."""
    address = Faker(LOCALE).provider("faker.providers.address")
    names = sorted({p + s for p in address.street_prefixes for s in address.street_suffixes})
    rng = np.random.default_rng(_MAP_SEED)
    streets, postcodes = [], []
    for _, _, prefix in CITIES:
        chosen = rng.choice(len(names), size=min(STREETS_PER_CITY, len(names)), replace=False)
        streets.append([names[i] for i in chosen])
        postcodes.append([f"{prefix}{n:02d}" for n in rng.integers(10, 100, size=len(chosen))])
    weights = np.array([w for _, w, _ in CITIES])
    return CountryMap(
        cities=np.array([c for c, _, _ in CITIES], dtype=object),
        city_weights=weights / weights.sum(),
        streets=np.array(streets, dtype=object),
        postcodes=np.array(postcodes, dtype=object),
    )
