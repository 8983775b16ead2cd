"""A connector's durable state: where it resumes, and what its last run did.

Both live as one JSON document in the store's ``connector_cursor`` row, written in one statement
after each batch the broker acknowledged, so the position and the counts never disagree.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from govbus.store.cursor import get_cursor, set_cursor
from govbus.store.engine import Store


@dataclass
class LastRun:
    started_at: str
    finished_at: str | None = None
    batches: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error:
            return "failed"
        return "finished" if self.finished_at else "running or interrupted"


@dataclass
class ConnectorState:
    connector: str
    position: Any = None
    last_run: LastRun | None = None

    def to_json(self) -> str:
        return json.dumps({"position": self.position, "last_run": asdict(self.last_run) if self.last_run else None})

    def to_dict(self) -> dict[str, Any]:
        run = self.last_run
        return {
            "connector": self.connector,
            "position": self.position,
            "last_run": {**asdict(run), "status": run.status} if run else None,
        }


def load_state(store: Store, connector: str) -> ConnectorState:
    text = get_cursor(store, connector)
    if not text:
        return ConnectorState(connector)
    stored = json.loads(text)
    run = stored.get("last_run")
    return ConnectorState(connector, stored.get("position"), LastRun(**run) if run else None)


def save_state(store: Store, state: ConnectorState) -> None:
    set_cursor(store, state.connector, state.to_json())


def reset_state(store: Store, connector: str) -> None:
    """Forget the position, so the next run starts from the beginning."""
    set_cursor(store, connector, None)


def encode_value(value: Any) -> Any:
    """A cursor or key value as JSON that ``decode_value`` turns back into the same type."""
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        (kind, text), = value.items()
        return {"datetime": datetime.fromisoformat, "date": date.fromisoformat, "decimal": Decimal}[kind](text)
    return value
