"""Connector kinds by name: the built-in ones, and those third parties add through entry points.

A package adds a kind by declaring, in its ``pyproject.toml``::

    [project.entry-points."govbus.connectors"]
    mainframe_extract = "agency_tools.mainframe:MainframeSource"

Nothing is imported until a kind is asked for, so reading definitions stays cheap.
"""

from __future__ import annotations

import importlib
from enum import Enum
from importlib.metadata import entry_points

from govbus.connectors.base import Sink, Source
from govbus.connectors.definition import Direction
from govbus.errors import ConfigurationError

ENTRY_POINT_GROUP = "govbus.connectors"


class ConnectorKind(str, Enum):
    sql_table = "sql_table"
    outbox = "outbox"
    file_drop = "file_drop"
    cdc = "cdc"


_BUILT_IN: dict[Direction, dict[str, str]] = {
    Direction.source: {
        ConnectorKind.sql_table: "govbus.connectors.sql_table:SqlTableSource",
        ConnectorKind.outbox: "govbus.connectors.outbox:OutboxSource",
        ConnectorKind.file_drop: "govbus.connectors.file_drop:FileDropSource",
        ConnectorKind.cdc: "govbus.connectors.cdc:DebeziumSource",
    },
    Direction.sink: {
        ConnectorKind.sql_table: "govbus.connectors.table_sink:SqlTableSink",
    },
}
_BASE = {Direction.source: Source, Direction.sink: Sink}


def connector_class(kind: str, direction: Direction = Direction.source) -> type[Source] | type[Sink]:
    """The class behind ``kind``; an unknown kind is reported with the known ones."""
    target = _BUILT_IN[direction].get(kind)
    if target is not None:
        module_name, _, class_name = target.partition(":")
        return getattr(importlib.import_module(module_name), class_name)
    for entry_point in entry_points(group=ENTRY_POINT_GROUP, name=kind):
        loaded = entry_point.load()
        if _is_a(loaded, direction):
            return loaded
    known = ", ".join(known_kinds(direction))
    raise ConfigurationError(f"unknown {direction.value} kind {kind!r} (known: {known})")


def known_kinds(direction: Direction = Direction.source) -> list[str]:
    """Built-in kinds first, then those registered under the entry-point group (loaded to sort them)."""
    built_in = [str(kind.value) for kind in _BUILT_IN[direction]]
    added = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP) if _is_a(ep.load(), direction)}
    return built_in + sorted(added - set(built_in))


def _is_a(loaded: object, direction: Direction) -> bool:
    return isinstance(loaded, type) and issubclass(loaded, _BASE[direction])
