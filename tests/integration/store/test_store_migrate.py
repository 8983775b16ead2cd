"""Migrations on SQLite and PostgreSQL: repeating them is harmless, running them at once is safe."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic.script import ScriptDirectory

from govbus.store.cursor import get_cursor, set_cursor
from govbus.store.engine import alembic_config
from govbus.store.info import store_info


def heads() -> list[str]:
    return sorted(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_migrating_twice_keeps_the_data_and_the_revisions(empty_store):
    empty_store.migrate()
    set_cursor(empty_store, "tax.taxpayers", "2026-03-01T10:00:00")

    empty_store.migrate()

    info = store_info(empty_store)
    assert info.revisions == heads()
    assert {"consumer_offset", "connector_cursor"} <= info.tables.keys()
    assert get_cursor(empty_store, "tax.taxpayers") == "2026-03-01T10:00:00"


def test_migrations_started_at_once_both_succeed(empty_store):
    with ThreadPoolExecutor(2) as pool:
        for outcome in [pool.submit(empty_store.migrate) for _ in range(2)]:
            outcome.result()

    assert store_info(empty_store).revisions == heads()


def test_a_store_at_the_newest_revisions_is_not_upgraded_again(empty_store, monkeypatch):
    from alembic import command

    empty_store.migrate()
    upgrades = []
    monkeypatch.setattr(command, "upgrade", lambda *args: upgrades.append(args))

    empty_store.migrate()

    assert upgrades == [] and store_info(empty_store).revisions == heads()


def test_a_store_behind_on_one_area_is_brought_up_to_the_newest(empty_store):
    from alembic import command

    empty_store.migrate()
    with empty_store.begin() as connection:
        command.downgrade(alembic_config(connection), "holdings@base")
    assert "retirement_plan" not in store_info(empty_store).tables

    empty_store.migrate()

    info = store_info(empty_store)
    assert info.revisions == heads() and "retirement_plan" in info.tables
