"""The govbus store: one connector layer over SQLite (embedded default) or PostgreSQL."""

from govbus.store.engine import Store
from govbus.store.settings import StoreSettings

__all__ = ["Store", "StoreSettings"]
