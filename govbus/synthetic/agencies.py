"""Each agency's records of the people it serves, with the columns of its own systems.

Builders return the agency's rows plus a ``person_id`` column holding the truth; the country
splits that column off before anything is written next to the data. Rows come shuffled, so an
agency's record numbers say nothing about who the person is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from govbus.synthetic.copies import (
    CopyHabits,
    bank_accounts,
    copied_address,
    copied_date_of_birth,
    copied_names,
    copied_national_id,
    full_names,
    transliterated,
)
from govbus.synthetic.identity import RecordNumbers
from govbus.synthetic.noise import NoiseRates, pick
from govbus.synthetic.people import TODAY
from govbus.synthetic.places import MUNICIPALITY_CITY

# Each source's own record key: the column a steward would quote.
RECORD_ID: dict[str, str] = {
    "population": "national_id",
    "tax": "tax_id",
    "social": "insured_id",
    "migration": "application_id",
    "municipality": "resident_id",
    "post": "notice_id",
}
SOURCES = tuple(RECORD_ID)
RECORD_PREFIX = {"social": "FK", "migration": "UA", "municipality": "NV", "post": "PN", "case": "MC"}

_BENEFITS = np.array(["child_allowance", "sickness", "parental", "housing", "unemployment", None], dtype=object)
_CASE_KINDS = np.array(["residence_permit", "visa", "asylum", "work_permit"], dtype=object)
_CASE_STATUS = np.array(["filed", "decided", "appealed", "granted", "refused"], dtype=object)

Numbers = dict[str, RecordNumbers]
Builder = Callable[[np.random.Generator, pd.DataFrame, NoiseRates, Numbers], pd.DataFrame]


def _served(rng: np.random.Generator, people: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    return people[mask].sample(frac=1.0, random_state=rng).reset_index(drop=True)


def population(rng: np.random.Generator, people: pd.DataFrame, noise: NoiseRates, numbers: Numbers) -> pd.DataFrame:
    """The register is the authority: it holds every registered resident exactly as they are."""
    served = _served(rng, people, people["registered"].to_numpy())
    columns = ["national_id", "given_name", "family_name", "date_of_birth", "sex", "street", "postcode",
               "city", "civil_status", "passport_number", "person_id"]
    return served[columns].copy()


def tax(rng: np.random.Generator, people: pd.DataFrame, noise: NoiseRates, numbers: Numbers) -> pd.DataFrame:
    """Adult residents; keys on the national id, writes names in capitals, keeps its own address."""
    adult = people["registered"].to_numpy() & (people["age"].to_numpy() >= 18)
    served = _served(rng, people, adult & pick(rng, len(people), 0.93))
    habits = CopyHabits()
    given, family = copied_names(rng, served, noise, habits)
    income = np.round(rng.lognormal(12.8, 0.6, size=len(served)), -2).astype(np.int64)
    return pd.DataFrame({
        "tax_id": served["national_id"],
        "full_name": pd.Series(full_names(given, family)).str.upper(),
        "date_of_birth": copied_date_of_birth(rng, served, noise, habits),
        **copied_address(rng, served, noise, habits),
        "annual_income": pd.Series(income, dtype="Int64").mask(pick(rng, len(served), 0.05)),
        "person_id": served["person_id"],
    })


def social(rng: np.random.Generator, people: pd.DataFrame, noise: NoiseRates, numbers: Numbers) -> pd.DataFrame:
    """Insured people, some newcomers among them; its own id, the national id when it has it."""
    registered = people["registered"].to_numpy()
    insured = np.where(registered, pick(rng, len(people), 0.7), pick(rng, len(people), 0.25))
    served = _served(rng, people, insured)
    habits = CopyHabits(nicknames=True)
    given, family = copied_names(rng, served, noise, habits)
    benefit = rng.choice(_BENEFITS, size=len(served))
    return pd.DataFrame({
        "insured_id": numbers["social"].take(len(served)),
        "national_id": copied_national_id(rng, served, noise),
        "given_name": given,
        "family_name": family,
        "date_of_birth": copied_date_of_birth(rng, served, noise, habits),
        **copied_address(rng, served, noise, habits),
        "benefit": np.where(served["age"].to_numpy() >= 65, "pension", benefit),
        "bank_account": np.where(pick(rng, len(served), 0.1), None, bank_accounts(rng, len(served))),
        "person_id": served["person_id"],
    })


def migration(rng: np.random.Generator, people: pd.DataFrame, noise: NoiseRates, numbers: Numbers) -> pd.DataFrame:
    """Applicants: names as the passport spells them, no national id and no address."""
    served = _served(rng, people, people["newcomer"].to_numpy())
    habits = CopyHabits(stale_names=False, stale_addresses=False)
    return pd.DataFrame({
        "application_id": numbers["migration"].take(len(served)),
        "passport_number": served["passport_number"],
        "given_name": transliterated(rng, served["given_name"].to_numpy(dtype=object), noise.transliteration),
        "family_name": transliterated(rng, served["family_name"].to_numpy(dtype=object), noise.transliteration),
        # Papers from abroad write dates in other orders, so swaps happen twice as often.
        "date_of_birth": copied_date_of_birth(rng, served, noise, habits, factor=2.0),
        "nationality": served["nationality"],
        "person_id": served["person_id"],
    })


def municipality(rng: np.random.Generator, people: pd.DataFrame, noise: NoiseRates, numbers: Numbers) -> pd.DataFrame:
    """Norrvik's own resident list, including people who moved away and were never struck off."""
    stale = people["moved"].to_numpy() & pick(rng, len(people), noise.stale_address)
    city = np.where(stale, people["old_city"].to_numpy(dtype=object), people["city"].to_numpy(dtype=object))
    listed = people["registered"].to_numpy() & (city == MUNICIPALITY_CITY) & pick(rng, len(people), 0.9)
    served = _served(rng, people.assign(stale=stale), listed)
    given, family = copied_names(rng, served, noise, CopyHabits(nicknames=True))
    held = served["stale"].to_numpy()
    address = {c: np.where(held, served[f"old_{c}"], served[c]) for c in ("street", "postcode", "city")}
    return pd.DataFrame({
        "resident_id": numbers["municipality"].take(len(served)),
        "national_id": copied_national_id(rng, served, noise),
        "given_name": given,
        "family_name": family,
        "date_of_birth": copied_date_of_birth(rng, served, noise, CopyHabits()),
        **address,
        "person_id": served["person_id"],
    })


def post(rng: np.random.Generator, people: pd.DataFrame, noise: NoiseRates, numbers: Numbers) -> pd.DataFrame:
    """Change-of-address notices from people who moved; the name is as they wrote it."""
    served = _served(rng, people, people["moved"].to_numpy() & pick(rng, len(people), 0.6))
    habits = CopyHabits(nicknames=True, stale_names=False)
    given, family = copied_names(rng, served, noise, habits)
    return pd.DataFrame({
        "notice_id": numbers["post"].take(len(served)),
        "full_name": full_names(given, family),
        "date_of_birth": copied_date_of_birth(rng, served, noise, habits),
        "old_street": served["old_street"],
        "old_postcode": served["old_postcode"],
        "street": served["street"],
        "postcode": served["postcode"],
        "city": served["city"],
        "effective_on": served["moved_on"],
        "person_id": served["person_id"],
    })


def migration_cases(rng: np.random.Generator, applicants: pd.DataFrame, numbers: Numbers) -> pd.DataFrame:
    """One to three cases per applicant (an application, perhaps a renewal or an appeal)."""
    repeats = rng.integers(1, 4, size=len(applicants))
    application = np.repeat(applicants["application_id"].to_numpy(dtype=object), repeats)
    filed = TODAY - rng.integers(1, 2000, size=len(application)).astype("timedelta64[D]")
    return pd.DataFrame({
        "case_id": numbers["case"].take(len(application)),
        "application_id": application,
        "kind": rng.choice(_CASE_KINDS, size=len(application)),
        "status": rng.choice(_CASE_STATUS, size=len(application)),
        "filed_on": np.datetime_as_string(filed, unit="D").astype(object),
    })


BUILDERS: dict[str, Builder] = {
    "population": population,
    "tax": tax,
    "social": social,
    "migration": migration,
    "municipality": municipality,
    "post": post,
}


def record_numbers() -> Numbers:
    """Fresh record counters for a run, one per agency that numbers its own records."""
    return {name: RecordNumbers(prefix) for name, prefix in RECORD_PREFIX.items()}
