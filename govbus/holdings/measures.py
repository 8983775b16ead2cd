"""Measuring one holding's redundancy against the golden records, in the database, set by set.

- coverage: the share of rows whose key the registry links to a person (``person_xref``);
- agreement: the share of the covered rows' values equal to the golden value, once both are
  normalised the way reconciliation normalises them (golden values are stored normalised);
- staleness: the share of the agency's values that an authoritative agency has since changed: it
  observed a different value after the agency's copy (the times on the records' xref rows), over
  the agency's records the registry holds.

The holding sits beside the registry (the same SQLite file or PostgreSQL database), so coverage
and agreement are one join there. Python only normalises each distinct value once, the way
reconciliation does; those land in a temporary table that the join reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, Table, and_, exists, func, select

from govbus.errors import ConfigurationError
from govbus.holdings.catalogue import Holding
from govbus.holdings.replacement import golden_sql
from govbus.reconcile.mapping import SourceMappings
from govbus.reconcile.transforms import NORMALISERS
from govbus.registry.survivorship import DOMAINS
from govbus.registry.tables import person_xref

_BATCH = 50_000


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


def tally_rows(agency: Connection, table: Table, holding: Holding, mappings: SourceMappings, unmapped: list[str],
               samples: int, registry: str) -> Tally:
    """Coverage and agreement of ``table``; ``registry`` is how the agency database names the registry's tables."""
    q = agency.dialect.identifier_preparer.quote
    normalised = {column: _normalised_values(agency, table, column, normaliser(mappings, attribute), n)
                  for n, (column, attribute) in enumerate(holding.columns.items())}
    key = " || '|' || ".join(f"CAST(t.{q(k)} AS TEXT)" for k in holding.key_columns)
    joins = (f"FROM {q(table.name)} t LEFT JOIN {registry}person_xref x ON x.source = :source AND x.record_id = {key} "
             f"LEFT JOIN {registry}person p ON p.person_id = x.person_id "
             + " ".join(f"LEFT JOIN {n} ON {n}.value = t.{q(c)}" for c, n in normalised.items()))
    golden = {c: golden_sql(agency.dialect.name, a) for c, a in holding.columns.items()}
    form = {c: _normal_form(agency, c, n) for c, n in normalised.items()}
    measures = ["count(*)", "count(p.person_id)"]
    for column in normalised:
        measures += [f"sum(CASE WHEN p.person_id IS NOT NULL AND {form[column]} IS NOT NULL THEN 1 ELSE 0 END)",
                     f"sum(CASE WHEN p.person_id IS NOT NULL AND {form[column]} = {golden[column]} THEN 1 ELSE 0 END)"]
    measures += [f"count(t.{q(c)})" for c in unmapped]
    counts = [int(v or 0) for v in agency.exec_driver_sql(_named(agency, f"SELECT {', '.join(measures)} {joins}"),
                                                          _params(agency, holding)).one()]
    tally = Tally(rows=counts[0], covered_rows=counts[1])
    for i, column in enumerate(normalised):
        tally.per_column[column] = {"compared": counts[2 + 2 * i], "agreeing": counts[3 + 2 * i]}
    tally.unmapped_values = dict(zip(unmapped, counts[2 + 2 * len(normalised):]))
    tally.compared_values = sum(c["compared"] for c in tally.per_column.values())
    tally.agreeing_values = sum(c["agreeing"] for c in tally.per_column.values())
    _samples(agency, holding, tally, samples, joins, {c: (form[c], golden[c]) for c in normalised})
    for n in normalised.values():
        agency.exec_driver_sql(f"DROP TABLE {n}")
    return tally


def _samples(agency: Connection, holding: Holding, tally: Tally, samples: int, joins: str,
             compared: dict[str, tuple[str, str]]) -> None:
    """Up to ``samples`` uncovered keys and disagreeing values; ``compared`` is each column's (normal form, golden) SQL."""
    q = agency.dialect.identifier_preparer.quote
    keys = ", ".join(f"t.{q(k)}" for k in holding.key_columns)
    # Each query stops at its LIMIT, but finding nothing means joining every row: ask only when there are some.
    if samples and tally.covered_rows < tally.rows:
        found = agency.exec_driver_sql(_named(agency, f"SELECT {keys} {joins} WHERE p.person_id IS NULL LIMIT {samples}"),
                                       _params(agency, holding)).all()
        tally.uncovered_samples = [{k: str(v) for k, v in zip(holding.key_columns, row)} for row in found]
    for column, (form, golden) in compared.items():
        counts = tally.per_column[column]
        wanted = min(samples - len(tally.disagreement_samples), counts["compared"] - counts["agreeing"])
        if wanted <= 0:
            continue
        wrong = (f"SELECT {keys}, t.{q(column)}, {golden} {joins} WHERE p.person_id IS NOT NULL AND {form} IS NOT NULL "
                 f"AND ({golden} IS NULL OR {form} <> {golden}) LIMIT {wanted}")
        for *key_values, value, expected in agency.exec_driver_sql(_named(agency, wrong), _params(agency, holding)):
            tally.disagreement_samples.append({
                "key": {k: str(v) for k, v in zip(holding.key_columns, key_values)}, "column": column,
                "agency_value": str(value), "golden_value": None if expected is None else str(expected)})


def _normalised_values(agency: Connection, table: Table, column: str, normalise, number: int) -> str:
    """A temporary table of the column's distinct values and their normal form; returns its name."""
    q = agency.dialect.identifier_preparer.quote
    name = f"govbus_normalised_{number}"
    kind = table.c[column].type.compile(dialect=agency.dialect)
    agency.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    rowid = " WITHOUT ROWID" if agency.dialect.name == "sqlite" else ""
    agency.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} (value {kind} PRIMARY KEY, normalised TEXT){rowid}")
    marker = "?" if agency.dialect.paramstyle == "qmark" else "%s"
    cursor = agency.connection.cursor()  # the driver's own: SQLAlchemy's rows would cost more than the query
    try:
        cursor.execute(f"SELECT DISTINCT {q(column)} FROM {q(table.name)} WHERE {q(column)} IS NOT NULL")
        while values := [v for (v,) in cursor.fetchmany(_BATCH)]:
            forms = normalise(pd.Series(values, dtype=object).astype("string")).astype(object).where(lambda f: f.notna(), None)
            # A text value already in its normal form is left out: the join reads it as it is (see ``_normal_form``).
            changed = [(v, f) for v, f in zip(values, forms) if type(v) is not str or f != v]
            if changed:
                agency.exec_driver_sql(f"INSERT INTO {name} (value, normalised) VALUES ({marker}, {marker})", changed)
    finally:
        cursor.close()
    if agency.dialect.name == "postgresql":
        # Autovacuum never sees a temporary table: without statistics the planner guesses its size.
        agency.exec_driver_sql(f"ANALYZE {name}")
    return name


def _normal_form(agency: Connection, column: str, normalised: str) -> str:
    """SQL for a row's value of ``column`` in normal form: the one looked up, else the text value as it is."""
    value = f"t.{agency.dialect.identifier_preparer.quote(column)}"
    return f"(CASE WHEN {normalised}.value IS NOT NULL THEN {normalised}.normalised ELSE CAST({value} AS TEXT) END)"


def _named(agency: Connection, sql: str) -> str:
    return sql.replace(":source", "?" if agency.dialect.paramstyle == "qmark" else "%(source)s")


def _params(agency: Connection, holding: Holding):
    return (holding.source,) if agency.dialect.paramstyle == "qmark" else {"source": holding.source}


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
        mine, newer = person_xref.alias("mine"), person_xref.alias("newer")
        copies = select(func.count()).where(mine.c.source == holding.source, mine.c[attribute].is_not(None),
                                            mine.c.observed_at.is_not(None))
        later = exists().where(and_(
            newer.c.person_id == mine.c.person_id, newer.c.source.in_(sorted(trusted)),
            newer.c.observed_at > mine.c.observed_at, newer.c[attribute] != mine.c[attribute]))
        # Counted apart: EXISTS as a filter is one hash semi-join on PostgreSQL, where inside a CASE it
        # was probed once per copy.
        count, late = registry.execute(select(copies.scalar_subquery(), copies.where(later).scalar_subquery())).one()
        timed, stale = timed + count, stale + late
    return timed, stale
