"""Migration case chains (Wilma): each applicant's case from the embassy to the border.

An embassy receives the application, the Migration Board decides, a refused applicant may appeal
to the Aliens Appeals Board, and a granted applicant enters through a border post. Every step
carries the case number and the applicant's identity as the passport gives it, so any member of
the chain can link the person. The first applicant's case always walks the whole chain, so that
every country, however small, has one complete chain to show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

APPLICATION = "embassy.visa.application_received"
DECISION = "migration.visa.decided"
APPEAL_LODGED = "appeals.appeal.lodged"
APPEAL_DECIDED = "appeals.appeal.decided"
ENTRY = "border.entry.recorded"
# The chain's steps in the order a case walks them.
CHAIN = (APPLICATION, DECISION, APPEAL_LODGED, APPEAL_DECIDED, ENTRY)

_EMBASSIES = np.array(["Ankara", "Amman", "Nairobi", "Kyiv", "Tehran", "Addis Ababa"], dtype=object)
_BORDER_POSTS = np.array(["Norrvik Airport", "Harbour of Sundby", "Road crossing Tornfors"], dtype=object)
_IDENTITY = ["case_id", "passport_number", "given_name", "family_name", "date_of_birth"]

# Shares of cases that take each turn.
GRANTED = 0.6
APPEALED = 0.7
UPHELD = 0.4
ENTERED = 0.85


@dataclass
class CaseChains:
    """The steps of every case, one frame per subject, and which person each case is about."""

    steps: dict[str, pd.DataFrame]
    truth: pd.DataFrame  # case_id, person_id, complete (walked all five steps)

    @property
    def event_count(self) -> int:
        return sum(len(frame) for frame in self.steps.values())


def case_chains(rng: np.random.Generator, applicants: pd.DataFrame, applicant_truth: pd.DataFrame, cases: pd.DataFrame) -> CaseChains:
    """One chain per applicant, on the applicant's first case of ``migration_cases``."""
    first = cases.drop_duplicates("application_id").set_index("application_id")
    chains = applicants.join(first[["case_id", "kind", "filed_on"]], on="application_id", how="inner").reset_index(drop=True)
    count = len(chains)
    forced = np.arange(count) == 0
    granted = (rng.random(count) < GRANTED) & ~forced
    appealed = ~granted & ((rng.random(count) < APPEALED) | forced)
    upheld = appealed & ((rng.random(count) < UPHELD) | forced)
    entered = (granted | upheld) & ((rng.random(count) < ENTERED) | forced)

    received = pd.to_datetime(chains["filed_on"]) + pd.to_timedelta(rng.integers(8 * 60, 17 * 60, count), unit="min")
    decided = received + pd.to_timedelta(rng.integers(5, 90, count), unit="D")
    lodged = decided + pd.to_timedelta(rng.integers(3, 21, count), unit="D")
    ruled = lodged + pd.to_timedelta(rng.integers(20, 120, count), unit="D")
    entered_at = np.where(upheld, ruled, decided) + pd.to_timedelta(rng.integers(7, 60, count), unit="D").to_numpy()

    identity = chains[_IDENTITY]
    appeal_ids = pd.Series("AB" + chains["case_id"].str.slice(2), dtype=object)
    steps = {
        APPLICATION: identity.assign(
            application_id=chains["application_id"],
            nationality=chains["nationality"],
            embassy=rng.choice(_EMBASSIES, size=count),
            visa_kind=chains["kind"],
            received_at=_iso(received),
        ),
        DECISION: identity.assign(decision=np.where(granted, "granted", "refused"), decided_at=_iso(decided)),
        APPEAL_LODGED: identity.assign(appeal_id=appeal_ids, lodged_at=_iso(lodged))[appealed],
        APPEAL_DECIDED: identity.assign(
            appeal_id=appeal_ids, outcome=np.where(upheld, "upheld", "dismissed"), decided_at=_iso(ruled)
        )[appealed],
        ENTRY: identity.assign(border_post=rng.choice(_BORDER_POSTS, size=count), entered_at=_iso(pd.Series(entered_at)))[entered],
    }
    person = chains["application_id"].map(applicant_truth.set_index("record_id")["person_id"])
    truth = pd.DataFrame({"case_id": chains["case_id"], "person_id": person, "complete": appealed & upheld & entered})
    return CaseChains({subject: frame.reset_index(drop=True) for subject, frame in steps.items()}, truth)


def _iso(times: pd.Series) -> pd.Series:
    return pd.Series(pd.to_datetime(times)).dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype(object)
