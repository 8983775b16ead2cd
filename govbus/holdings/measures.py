"""Measuring one holding's redundancy against the golden records.

- coverage: the share of rows whose key the registry links to a person (``person_xref``);
- agreement: the share of the covered rows' values equal to the golden value, once both are
  normalised the way reconciliation normalises them (golden values are stored normalised);
- staleness: the share of the agency's values that an authoritative agency has since changed: it
  observed a different value after the agency's copy (provenance times), over the agency's
  records the registry holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Integer, and_, case, exists, func, select, type_coerce

from govbus.errors import ConfigurationError
from govbus.holdings.catalogue import Holding
from govbus.reconcile.mapping import SourceMappings
from govbus.reconcile.transforms import NORMALISERS
from govbus.registry.survivorship import DOMAINS
from govbus.registry.tables import person, person_attribute, person_xref

_CHUNK = 100_000


@dataclass
class Tally:
    """What one holding's rows showed; every count adds up (compared = agreeing + disagreeing)."""

    rows: int = 0
    covered_rows: int = 0
    compared_values: int = 0
    agreeing_values: int = 0
    per_column: dict[str, dict[str, int]] = field(default_factory=dict)
    unmapped_values: dict[str, int] = field(default_factory=dict)
    uncovered_samples: list[dict] = field(default_factory=list)
    disagreement_samples: list[dict] = field(default_factory=list)


def record_ids(frame: pd.DataFrame, key_columns: list[str]) -> pd.Series:
    """The registry's record id for each row: the key, its parts joined by ``|`` when composite."""
    parts = [frame[k].astype("string") for k in key_columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    return key


def golden_values(registry: Connection, holding: Holding) -> pd.DataFrame:
    """The golden value of each mapped attribute for every record of the holding's source, by record id."""
    attributes = sorted(set(holding.columns.values()))
    query = (
        select(person_xref.c.record_id, *(person.c.golden[(a, "value")].as_string().label(a) for a in attributes))
        .join(person, person.c.person_id == person_xref.c.person_id)
        .where(person_xref.c.source == holding.source)
    )
    columns = list(zip(*registry.execute(query).all())) or [()] * (1 + len(attributes))
    golden = pd.DataFrame({a: pd.Series(v, dtype=object) for a, v in zip(attributes, columns[1:])})
    return golden.set_index(pd.Index(columns[0], dtype=object, name="record_id"))


def tally_rows(chunks: Iterator[pd.DataFrame], golden: pd.DataFrame, holding: Holding, mappings: SourceMappings,
               unmapped: list[str], samples: int) -> Tally:
    tally = Tally(per_column={c: {"compared": 0, "agreeing": 0} for c in holding.columns},
                  unmapped_values={c: 0 for c in unmapped})
    for frame in chunks:
        ids = record_ids(frame, holding.key_columns)
        found = golden.index.get_indexer(ids.to_numpy(dtype=object, na_value=None))
        covered = pd.Series(found >= 0, index=frame.index)
        tally.rows += len(frame)
        tally.covered_rows += int(covered.sum())
        if len(tally.uncovered_samples) < samples:
            tally.uncovered_samples += frame.loc[~covered, holding.key_columns].head(samples - len(tally.uncovered_samples)).astype(str).to_dict("records")
        for column in unmapped:
            tally.unmapped_values[column] += int(frame[column].notna().sum())
        for column, attribute in holding.columns.items():
            agency = normaliser(mappings, attribute)(frame[column].astype("string"))
            values = golden[attribute].to_numpy()
            expected = pd.Series(np.where(found >= 0, values[found], None) if len(values) else None, index=frame.index, dtype="string")
            compared = covered & agency.notna()
            agreeing = compared & (agency == expected).fillna(False)
            tally.per_column[column]["compared"] += int(compared.sum())
            tally.per_column[column]["agreeing"] += int(agreeing.sum())
            wrong = frame.index[compared & ~agreeing]
            for index in wrong[: max(0, samples - len(tally.disagreement_samples))]:
                tally.disagreement_samples.append({
                    "key": {k: str(frame.at[index, k]) for k in holding.key_columns}, "column": column,
                    "agency_value": str(frame.at[index, column]), "golden_value": _text(expected.at[index])})
    tally.compared_values = sum(c["compared"] for c in tally.per_column.values())
    tally.agreeing_values = sum(c["agreeing"] for c in tally.per_column.values())
    return tally


def normaliser(mappings: SourceMappings, attribute: str):
    try:
        return NORMALISERS[mappings.standard_columns[attribute].normaliser]
    except KeyError:
        raise ConfigurationError(f"golden attribute {attribute!r} has no normaliser in the reconcile mapping file") from None


def staleness(registry: Connection, holding: Holding, authority: dict[str, set[str]]) -> tuple[int, int]:
    """(timed values, stale values): the agency's values, and those an authority changed after the copy."""
    timed = stale = 0
    for attribute in sorted(set(holding.columns.values())):
        trusted = authority.get(DOMAINS[attribute], set()) - {holding.source}
        if holding.source in authority.get(DOMAINS[attribute], set()) or not trusted:
            continue  # the agency is itself the authority, or nobody is: its copy cannot be stale
        newer = person_attribute.alias("newer")
        later = exists().where(and_(
            newer.c.person_id == person_attribute.c.person_id, newer.c.attribute == attribute,
            newer.c.source.in_(sorted(trusted)), newer.c.observed_at > person_attribute.c.observed_at,
            newer.c.value != person_attribute.c.value))
        query = select(func.count(), func.sum(type_coerce(case((later, 1), else_=0), Integer))).where(
            person_attribute.c.source == holding.source, person_attribute.c.attribute == attribute,
            person_attribute.c.observed_at.is_not(None))
        count, late = registry.execute(query).one()
        timed, stale = timed + count, stale + int(late or 0)
    return timed, stale


def _text(value: object) -> str | None:
    return None if value is None or value is pd.NA else str(value)
