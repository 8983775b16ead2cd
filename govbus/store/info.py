"""What is in a store: where it is, which migrations it is at, its tables and their sizes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, inspect, select, table

from govbus.store.engine import Store


@dataclass(frozen=True)
class StoreInfo:
    url: str
    dialect: str
    revisions: list[str]
    tables: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def store_info(store: Store) -> StoreInfo:
    """The store's masked URL, dialect, applied revisions and row count per table."""
    from alembic.migration import MigrationContext

    with store.begin() as connection:
        revisions = sorted(MigrationContext.configure(connection).get_current_heads())
        names = sorted(inspect(connection).get_table_names())
        counts = {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}
    return StoreInfo(str(store), store.dialect, revisions, counts)
