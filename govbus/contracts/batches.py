"""Landed batches GX can validate: a pandas frame, or a table reached through SQLAlchemy."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import MetaData, Table, select

from govbus.contracts.lint_fields import ENVELOPE_COLUMNS
from govbus.store import Store

FRAMES = "govbus_frames"


@dataclass(frozen=True)
class FrameBatch:
    """A batch already in memory, such as a CSV or Parquet file read by pandas."""

    frame: pd.DataFrame
    description: str

    def naive_timestamps(self, column: str) -> bool:
        series = self.frame.get(column)
        return series is not None and pd.api.types.is_datetime64_dtype(series) and series.dt.tz is None

    def prepared(self, freshness_column: str | None) -> "FrameBatch":
        """Event times arrive as ISO text; GX compares them as times only once parsed."""
        series = self.frame.get(freshness_column) if freshness_column else None
        if series is None or not pd.api.types.is_object_dtype(series):
            return self
        parsed = pd.to_datetime(series, utc=True, errors="coerce", format="ISO8601")
        return FrameBatch(self.frame.assign(**{freshness_column: parsed}), self.description)

    def definition(self, context, asset_name: str):
        source = _source(context, FRAMES, lambda: context.data_sources.add_pandas(FRAMES))
        asset = _asset(source, asset_name, lambda: source.add_dataframe_asset(asset_name))
        return _batch_definition(asset, "whole_frame", asset.add_batch_definition_whole_dataframe)

    @property
    def parameters(self) -> dict[str, Any]:
        return {"dataframe": self.frame}


@dataclass(frozen=True)
class TableBatch:
    """A landed table in the store (or any database SQLAlchemy reaches)."""

    url: str
    table: str
    schema: str | None = None

    @property
    def description(self) -> str:
        return f"table {self.schema + '.' if self.schema else ''}{self.table}"

    def naive_timestamps(self, column: str) -> bool:
        # SQLite keeps times as text without a zone; PostgreSQL's timestamptz keeps one.
        return self.url.startswith("sqlite")

    def prepared(self, freshness_column: str | None) -> "TableBatch":
        return self

    def definition(self, context, asset_name: str):
        # The URL may hold a password: GX's config file gets only a ${variable} naming it.
        digest = hashlib.sha1(self.url.encode()).hexdigest()[:10]
        variable = f"GOVBUS_GX_SQL_{digest.upper()}"
        os.environ[variable] = self.url
        name = f"store_{digest}"
        add = {"sqlite": context.data_sources.add_sqlite, "postgresql": context.data_sources.add_postgres}.get(
            self.url.split(":", 1)[0].split("+", 1)[0], context.data_sources.add_sql
        )
        source = _source(context, name, lambda: add(name, connection_string="${" + variable + "}"))
        query = self._landed_query()
        if query is None:
            where = {"schema_name": self.schema} if self.schema else {}
            asset = _asset(source, asset_name, lambda: source.add_table_asset(asset_name, table_name=self.table, **where))
        else:
            asset_name += ".landed"
            asset = _asset(source, asset_name, lambda: source.add_query_asset(asset_name, query=query))
        return _batch_definition(asset, "whole_table", asset.add_batch_definition_whole_table)

    def _landed_query(self) -> str | None:
        """Landed tables prefix the event headers (``_occurred_at``); contracts name them as headers do.

        For such a table the batch is a query that also gives each header its plain name.
        """
        engine = Store(self.url).engine
        table = Table(self.table, MetaData(), schema=self.schema, autoload_with=engine)
        aliases = [table.c[f"_{name}"].label(name) for name in sorted(ENVELOPE_COLUMNS) if f"_{name}" in table.c and name not in table.c]
        if not aliases:
            return None
        return str(select(table, *aliases).compile(dialect=engine.dialect))

    @property
    def parameters(self) -> dict[str, Any]:
        return {}


def _source(context, name: str, create):
    try:
        return context.data_sources.get(name)
    except KeyError:
        return create()


def _asset(source, name: str, create):
    try:
        return source.get_asset(name)
    except LookupError:
        return create()


def _batch_definition(asset, name: str, create):
    for definition in asset.batch_definitions:
        if definition.name == name:
            return definition
    return create(name)
