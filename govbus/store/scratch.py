"""Throwaway stores for tests and benchmarks: nothing they write outlives them.

On PostgreSQL a scratch store is a private schema in the given database, reached through the
connection's ``search_path``, so runs side by side never see each other's tables; it is dropped
afterwards. Elsewhere it is a fresh SQLite file in the given folder.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from govbus.store.engine import Store


@contextmanager
def scratch_store(folder: Path, postgres_url: str | None = None) -> Iterator[Store]:
    """A fresh store: a private schema in ``postgres_url``'s database, else a SQLite file in ``folder``."""
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    if postgres_url is None:
        store = Store(f"sqlite:///{Path(folder) / name}.db")
        try:
            yield store
        finally:
            store.engine.dispose()
        return
    admin = create_engine(postgres_url)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {name}")
        url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={name}"})
        store = Store(url.render_as_string(hide_password=False))
        try:
            yield store
        finally:
            store.engine.dispose()
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
    finally:
        admin.dispose()
