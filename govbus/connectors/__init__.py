"""Connectors: agency databases, outboxes, file drops and change streams onto the bus, and back.

``connectors/<name>.yaml`` declares each one; ``run_source`` runs a source, ``run_sink`` a sink.
"""

from govbus.connectors.base import BatchOutcome, Sink, Source, SourceBatch
from govbus.connectors.definition import ConnectorDefinition, Direction, Mode, find_definition, load_definitions
from govbus.connectors.kinds import ENTRY_POINT_GROUP, ConnectorKind, connector_class, known_kinds
from govbus.connectors.run import ConnectorRun, run_source
from govbus.connectors.sink_run import SinkRun, run_sink

__all__ = [
    "ENTRY_POINT_GROUP",
    "BatchOutcome",
    "ConnectorDefinition",
    "ConnectorKind",
    "ConnectorRun",
    "Direction",
    "Mode",
    "Sink",
    "SinkRun",
    "Source",
    "SourceBatch",
    "connector_class",
    "find_definition",
    "known_kinds",
    "load_definitions",
    "run_sink",
    "run_source",
]
