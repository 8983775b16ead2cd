"""What an incremental run needs of the registry's linked records, found in the database.

A new record can only be paired with a linked record that agrees with it on one of the model's
blocking rules, so the run reads those records alone instead of every record the registry holds.
The rules become SQL over ``person_xref``: one join per rule with the new records' keys, held in a
temporary table. A rule element over a column the registry does not keep is left out of its
rule's join, so the join finds more records than Splink pairs, never fewer; a rule that keeps no
element, or a SQL condition over columns not kept, leaves nothing to narrow by: every record is read.

Term frequencies are what Splink would compute over every record, linked and new, but only for
the new records' values: an exact match, the one level they weight, is on a value both records hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import pandas as pd
import sqlglot
from sqlalchemy import Column, Connection, MetaData, Subquery, Table, Text, and_, func, select, text

from govbus.reconcile.mapping import SourceMappings
from govbus.reconcile.model import TrainedModel
from govbus.registry.records import linked_values
from govbus.registry.tables import person_xref
from govbus.store.bulk import insert_columns

KEPT = frozenset(c.name for c in person_xref.columns)


# SQLAlchemy's dialect name -> sqlglot's.
_SQLGLOT = {"postgresql": "postgres"}


# Parsed once per rule: a run asks for each rule's columns more than once, and parsing is
# what costs (about 5 % of a 1 % incremental run at 100,000 records, every call parsing afresh).
@lru_cache(maxsize=256)
def _columns(sql: str) -> tuple[sqlglot.exp.Column, ...]:
    return tuple(sqlglot.parse_one(sql, read="duckdb").find_all(sqlglot.exp.Column))


@lru_cache(maxsize=256)
def _as_read_from(sql: str, alias: str | None, dialect: str) -> str:
    """Splink's SQL ``sql`` with each column read from ``alias``, or from ``x`` (linked) and ``n``
    (new) for Splink's ``l`` and ``r`` when ``alias`` is None."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    for found in tree.find_all(sqlglot.exp.Column):
        found.set("table", sqlglot.exp.to_identifier(alias or ("x" if found.table == "l" else "n")))
    # Written substr(...) everywhere, as the year-of-birth index is: a database serves an
    # expression from its index only when the query spells it the same (SUBSTRING is not substr).
    tree = tree.transform(lambda node: sqlglot.exp.Anonymous(this="substr", expressions=[node.this, node.args["start"], node.args["length"]])
                          if isinstance(node, sqlglot.exp.Substring) and node.args.get("length") else node)
    return tree.sql(dialect=_SQLGLOT.get(dialect, dialect))


def rule_conditions(model: TrainedModel, dialect: str) -> list[str] | None:
    """Each blocking rule as a condition on ``x`` (a linked record) and ``n`` (a new one) that holds
    at least when the rule does; None when a rule cannot be narrowed by the columns kept."""
    conditions = []
    for rule in model.config.blocking_rules:
        if isinstance(rule, str):
            if any(c.name not in KEPT or c.table not in ("l", "r") for c in _columns(rule)):
                return None
            conditions.append(_as_read_from(rule, None, dialect))
            continue
        usable = [element for element in rule if {c.name for c in _columns(element)} <= KEPT]
        if not usable:
            return None
        conditions.append(" AND ".join(f"{_as_read_from(e, 'x', dialect)} = {_as_read_from(e, 'n', dialect)}" for e in usable))
    return conditions


def read_columns(model: TrainedModel) -> list[str]:
    """The new records' columns that the narrowing joins and the term frequencies read."""
    found = set(model.term_frequency_columns)
    for rule in model.config.blocking_rules:
        for element in [rule] if isinstance(rule, str) else rule:
            found |= {c.name for c in _columns(element)}
    return sorted(found & KEPT)


def near_new_records(connection: Connection, mappings: SourceMappings, model: TrainedModel, fresh: pd.DataFrame
                     ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame] | None]:
    """The linked records (as ``linked_values`` gives them) a new record in ``fresh`` may be paired
    with, and the term-frequency lookups to score them by; every linked record and no lookups
    when the model's rules or weights read columns the registry does not keep."""
    conditions = rule_conditions(model, connection.dialect.name)
    if conditions is None or not set(model.term_frequency_columns) <= KEPT:
        return linked_values(connection, mappings), None
    columns = read_columns(model)
    with scratch_table(connection, "govbus_arrivals", {c: fresh[c].astype(object).where(fresh[c].notna(), None).tolist() for c in columns}) as arrived:
        return linked_values(connection, mappings, within=nearby(conditions, arrived)), term_frequencies(connection, model, fresh, arrived)


def people_records(connection: Connection, mappings: SourceMappings, unique_ids: set[str]) -> pd.DataFrame:
    """Every linked record (as ``linked_values`` gives them) of the people that hold any of ``unique_ids``."""
    keys = [uid.split(":", 1) for uid in sorted(unique_ids)]
    with scratch_table(connection, "govbus_touched", {"source": [k[0] for k in keys], "record_id": [k[1] for k in keys]}) as touched:
        held = person_xref.alias("held")
        people = select(held.c.person_id).select_from(
            touched.join(held, and_(held.c.source == touched.c.source, held.c.record_id == touched.c.record_id)))
        within = select(person_xref.c.source, person_xref.c.record_id).where(person_xref.c.person_id.in_(people)).subquery("people")
        return linked_values(connection, mappings, within=within)


@contextmanager
def scratch_table(connection: Connection, name: str, columns: dict[str, list]) -> Iterator[Table]:
    """``columns`` (equally long lists of text) in a temporary table ``name``, dropped afterwards."""
    table = Table(name, MetaData(), *(Column(c, Text) for c in columns), prefixes=["TEMPORARY"])
    table.create(connection)
    try:
        insert_columns(connection, table, columns)
        yield table
    finally:
        table.drop(connection)


def nearby(conditions: list[str], arrived: Table) -> Subquery:
    """The keys (``source``, ``record_id``) of the linked records agreeing with a new record on a rule.

    The new records drive each join (``CROSS JOIN`` keeps that order on SQLite), so each is a few
    index probes per new record rather than a pass over every linked one.
    """
    joins = " UNION ".join(
        f"SELECT x.source, x.record_id FROM {arrived.name} n CROSS JOIN person_xref x WHERE {condition}" for condition in conditions
    )
    return text(joins).columns(person_xref.c.source, person_xref.c.record_id).subquery("nearby")


def term_frequencies(connection: Connection, model: TrainedModel, fresh: pd.DataFrame, arrived: Table) -> dict[str, pd.DataFrame]:
    """Column -> Splink's term-frequency lookup (``column``, ``tf_column``) for the new records' values,
    counted over the linked records and the new ones together."""
    lookups = {}
    for name in model.term_frequency_columns:
        held = person_xref.c[name]
        linked_total = connection.execute(select(func.count(held))).scalar_one()
        counted = connection.execute(select(held, func.count()).where(held.in_(select(arrived.c[name]))).group_by(held)).all()
        counts = fresh[name].dropna().astype(str).value_counts()
        counts = counts.add(pd.Series(dict(counted), dtype="int64"), fill_value=0)
        total = linked_total + int(fresh[name].notna().sum())
        lookups[name] = pd.DataFrame({name: counts.index.astype(str), f"tf_{name}": counts.to_numpy(dtype=float) / total})
    return lookups
