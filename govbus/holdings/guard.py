"""A write guard on a holding from its archive to its swap: a counter that every write to the table bumps.

Re-reading and re-hashing the whole table under a lock, just before the swap, would prove it did
not change since the archive, at the cost of another full read. Instead, before the archive reads
the table, triggers are put on it that count each inserted, updated or deleted row (and, on
PostgreSQL, each truncate) in ``govbus_holding_guard``. The archive records the count it started
from; the swap, holding the table locked, compares it. The count is read before the rows, so a write
that races the read can only make the swap refuse, never slip through.
"""

from __future__ import annotations

from sqlalchemy import Connection

GUARD_TABLE = "govbus_holding_guard"
_ROW_WRITES = ("insert", "update", "delete")


def arm(agency: Connection, table: str) -> None:
    """Put the guard on ``table`` (idempotent); the counter keeps counting from where it was."""
    q = agency.dialect.identifier_preparer.quote
    guard = _guard_table(agency)
    agency.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {guard} (holding_table VARCHAR(200) PRIMARY KEY, writes BIGINT NOT NULL)")
    literal = _literal(table)
    agency.exec_driver_sql(f"INSERT INTO {guard} (holding_table, writes) SELECT {literal}, 0 "
                           f"WHERE NOT EXISTS (SELECT 1 FROM {guard} WHERE holding_table = {literal})")
    bump = f"UPDATE {guard} SET writes = writes + 1 WHERE holding_table = {literal}"
    if agency.dialect.name == "sqlite":
        for write in _ROW_WRITES:
            agency.exec_driver_sql(f"CREATE TRIGGER IF NOT EXISTS {q(_trigger(table, write))} AFTER {write.upper()} "
                                   f"ON {q(table)} BEGIN {bump}; END")
        return
    # Qualified by schema, so a writer whose search_path differs still finds the counter.
    function = f"{_schema(agency)}.{q(_trigger(table, 'count'))}"
    agency.exec_driver_sql(f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
                           f"$guard$ BEGIN {bump}; RETURN NULL; END $guard$")
    for name, timing in ((_trigger(table, "rows"), "INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW"),
                         (_trigger(table, "truncate"), "TRUNCATE ON {t} FOR EACH STATEMENT")):
        agency.exec_driver_sql(f"CREATE OR REPLACE TRIGGER {q(name)} AFTER {timing.format(t=q(table))} "
                               f"EXECUTE FUNCTION {function}()")


def writes(agency: Connection, table: str) -> int | None:
    """The writes counted on ``table`` so far; ``None`` when its guard is not wholly in place (dropped or disabled)."""
    if agency.dialect.name == "sqlite":
        names = {n for (n,) in agency.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,))}
        armed = names >= {_trigger(table, w) for w in _ROW_WRITES}
    else:
        names = {n for (n,) in agency.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%(t)s) AND tgenabled <> 'D'",
            {"t": agency.dialect.identifier_preparer.quote(table)})}
        armed = names >= {_trigger(table, "rows"), _trigger(table, "truncate")}
    if not armed:
        return None
    return agency.exec_driver_sql(f"SELECT writes FROM {_guard_table(agency)} WHERE holding_table = {_literal(table)}").scalar()


def _guard_table(agency: Connection) -> str:
    return GUARD_TABLE if agency.dialect.name == "sqlite" else f"{_schema(agency)}.{GUARD_TABLE}"


def _schema(agency: Connection) -> str:
    return agency.dialect.identifier_preparer.quote(agency.exec_driver_sql("SELECT current_schema()").scalar_one())


def _trigger(table: str, write: str) -> str:
    return f"govbus_guard_{table}_{write}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
