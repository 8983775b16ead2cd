"""The view that replaces a retired holding: same table name, same columns, read from the registry.

Key columns come from the registry's record ids of the holding's source; each duplicated column is
the person's golden value; a column the registry does not hold reads as NULL (its values stay in
the archive). Values are cast to the column's old type, so existing queries keep working.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

from govbus.errors import ConfigurationError
from govbus.holdings.catalogue import Holding


def view_sql(holding: Holding, table: Table, dialect: Dialect, registry_prefix: str) -> str:
    """``CREATE VIEW`` for ``holding`` in the agency database's ``dialect``."""
    if len(holding.key_columns) != 1:
        raise ConfigurationError(
            f"holding {holding.name}: a replacement view needs a single key column, the registry's record id "
            f"(it has {', '.join(holding.key_columns)})")
    quote = dialect.identifier_preparer.quote
    (key,) = holding.key_columns
    parts = []
    for column in table.columns:
        kind = column.type.compile(dialect=dialect)
        if column.name == key:
            value = "x.record_id"
        elif column.name in holding.columns:
            value = golden_sql(dialect.name, holding.columns[column.name])
        else:
            value = "NULL"
        parts.append(f"CAST({value} AS {kind}) AS {quote(column.name)}")
    source = holding.source.replace("'", "''")
    return (f"CREATE VIEW {quote(holding.table)} AS SELECT {', '.join(parts)} "
            f"FROM {registry_prefix}person_xref x JOIN {registry_prefix}person p ON p.person_id = x.person_id "
            f"WHERE x.source = '{source}'")


def golden_sql(dialect: str, attribute: str) -> str:
    """The SQL for the golden value of ``attribute`` of the person ``p``."""
    # Golden records hold {attribute: {"value", "source", "record_id"}}; attribute names are checked
    # against the registry's list when the catalogue loads, so they are safe in the path.
    if dialect == "postgresql":
        return f"(p.golden #>> '{{{attribute},value}}')"
    return f"json_extract(p.golden, '$.{attribute}.value')"


def drop_view(connection: Connection, holding: Holding) -> None:
    connection.exec_driver_sql(f"DROP VIEW IF EXISTS {connection.dialect.identifier_preparer.quote(holding.table)}")
