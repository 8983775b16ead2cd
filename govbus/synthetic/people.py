"""The people of the fictional country as they really are: the truth every agency copies from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from govbus.synthetic.identity import NationalIdIssuer, passport_numbers
from govbus.synthetic.names import (
    NATIONALITIES,
    NEWCOMER_FAMILY,
    NEWCOMER_GIVEN_FEMALE,
    NEWCOMER_GIVEN_MALE,
    name_pools,
)
from govbus.synthetic.noise import NoiseRates, pick
from govbus.synthetic.places import country_map

# The day the country is described on; fixed so that output never depends on the clock.
TODAY = np.datetime64("2026-01-01")
_MAX_AGE = 100


def _age_weights() -> np.ndarray:
    ages = np.arange(_MAX_AGE)
    weights = np.where(ages < 65, 1.0, (_MAX_AGE - ages) / (_MAX_AGE - 65))
    return weights / weights.sum()


def draw_people(
    rng: np.random.Generator, first_index: int, count: int, issuer: NationalIdIssuer, noise: NoiseRates
) -> pd.DataFrame:
    """``count`` people numbered from ``first_index``, one row each, with their true attributes."""
    index = np.arange(first_index, first_index + count)
    sex = rng.choice(np.array(["F", "M", "X"], dtype=object), size=count, p=[0.499, 0.499, 0.002])
    male = sex == "M"
    if (sex == "X").any():  # X is registered with either kind of given name
        male = male | ((sex == "X") & pick(rng, count, 0.5))
    age = rng.choice(_MAX_AGE, size=count, p=_age_weights())
    days_old = (age * 365.25 + rng.random(count) * 365).astype(np.int64) + 1
    born = TODAY - days_old.astype("timedelta64[D]")
    newcomer = pick(rng, count, noise.newcomer)
    registered = ~(newcomer & pick(rng, count, noise.unregistered_newcomer))

    given = _given_names(rng, male, newcomer)
    birth_family = np.where(
        newcomer, rng.choice(np.array(NEWCOMER_FAMILY, dtype=object), size=count), name_pools().family.draw(rng, count)
    )
    civil_status = _civil_status(rng, age)
    wed = (civil_status != "single") & pick(rng, count, noise.married_name_change)
    name_changed = wed & (~male | pick(rng, count, 0.2))
    family = np.where(name_changed & ~newcomer, name_pools().family.draw(rng, count), birth_family)

    home = country_map().draw(rng, count)
    moved = pick(rng, count, noise.moved) & registered
    before = country_map().draw(rng, count)
    moved_on = TODAY - rng.integers(1, 730, size=count).astype("timedelta64[D]")

    national_id = np.full(count, None, dtype=object)
    national_id[registered] = issuer.issue(born[registered], male[registered])
    passport = np.full(count, None, dtype=object)
    passport[newcomer] = passport_numbers(rng, index[newcomer])
    return pd.DataFrame(
        {
            "person_id": pd.Series(index).map("P{:08d}".format),
            "national_id": national_id,
            "given_name": given,
            "family_name": family,
            "birth_family_name": birth_family,
            "name_changed": name_changed,
            "date_of_birth": np.datetime_as_string(born, unit="D").astype(object),
            "age": age,
            "sex": sex,
            "civil_status": civil_status,
            "newcomer": newcomer,
            "registered": registered,
            "passport_number": passport,
            "nationality": np.where(newcomer, rng.choice(np.array(NATIONALITIES, dtype=object), size=count), None),
            "street": home.street,
            "postcode": home.postcode,
            "city": home.city,
            "moved": moved,
            "old_street": np.where(moved, before.street, None),
            "old_postcode": np.where(moved, before.postcode, None),
            "old_city": np.where(moved, before.city, None),
            "moved_on": np.where(moved, np.datetime_as_string(moved_on, unit="D").astype(object), None),
        }
    )


def _given_names(rng: np.random.Generator, male: np.ndarray, newcomer: np.ndarray) -> np.ndarray:
    pools = name_pools()
    count = len(male)
    local = np.where(male, pools.male.draw(rng, count), pools.female.draw(rng, count))
    foreign = np.where(
        male,
        rng.choice(np.array(NEWCOMER_GIVEN_MALE, dtype=object), size=count),
        rng.choice(np.array(NEWCOMER_GIVEN_FEMALE, dtype=object), size=count),
    )
    return np.where(newcomer, foreign, local)


def _civil_status(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    """Civil status by age: children are single, marriage rises with age, widowhood comes late."""
    roll = rng.random(len(age))
    married = np.where(age >= 30, 0.50, np.where(age >= 18, 0.15, 0.0))
    divorced = np.where(age >= 35, 0.12, 0.0)
    widowed = np.where(age >= 70, 0.20, 0.0)
    return np.select(
        [roll < married, roll < married + divorced, roll < married + divorced + widowed],
        ["married", "divorced", "widowed"],
        default="single",
    ).astype(object)
