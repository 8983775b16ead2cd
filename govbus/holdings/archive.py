"""Archiving a holding to Avro object container files, with a manifest that proves what they hold.

Rows are read through the database driver itself, ordered by the key, so values are exactly what
the database stores (no type conversion on the way) and the order is the same every time. The
manifest carries the row count, the SHA-256 of each file, and one content hash over the rows in
that order, which the read-back and the restore recompute.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from operator import itemgetter
from pathlib import Path

import fastavro
from sqlalchemy import BigInteger, Boolean, Connection, Float, Integer, LargeBinary, Numeric, SmallInteger, Table, inspect

from govbus.errors import FatalError
from govbus.holdings.catalogue import Holding
from govbus.holdings.encoding import ContentHash, encoded, encoded_chunks

MANIFEST = "manifest.json"
_FETCH = 20_000
_PYTHON = {"boolean": bool, "long": int, "bytes": bytes, "double": float, "string": str}
_AVRO = [((Boolean,), "boolean"), ((Integer, BigInteger, SmallInteger), "long"), ((LargeBinary,), "bytes")]


def describe(connection: Connection, table: Table, holding: Holding) -> dict:
    """The table's layout as the manifest keeps it: enough to rebuild it exactly."""
    dialect = connection.dialect
    columns = [{"name": c.name, "type": c.type.compile(dialect=dialect), "nullable": bool(c.nullable),
                "avro": _avro_type(c.type)} for c in table.columns]
    indexes = [{"name": i["name"], "columns": i["column_names"], "unique": bool(i["unique"])}
               for i in inspect(connection).get_indexes(table.name)]
    return {"table": table.name, "dialect": dialect.name, "columns": columns, "indexes": indexes,
            "primary_key": [c.name for c in table.primary_key.columns], "order_by": holding.key_columns}


def _avro_type(kind) -> str:
    for types, avro in _AVRO:
        if isinstance(kind, types):
            return avro
    if isinstance(kind, Float) or (isinstance(kind, Numeric) and not kind.asdecimal):
        return "double"
    return "string"  # text, dates and decimals keep the database's own text form


def avro_schema(layout: dict) -> dict:
    return {"type": "record", "name": "HoldingRow", "namespace": "govbus.holdings.archive",
            "doc": f"A row of the retired table {layout['table']}",
            "fields": [{"name": c["name"], "type": ["null", c["avro"]]} for c in layout["columns"]]}


def ordered_rows(connection: Connection, layout: dict) -> Iterator[list[tuple]]:
    """The table's rows in key order, in batches, as the driver returns them, made Avro-ready."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c["name"]) for c in layout["columns"])
    order = ", ".join(quote(k) for k in layout["order_by"])
    # The driver's own cursor: SQLAlchemy's row objects would cost more than the read itself.
    dbapi = connection.connection
    # On PostgreSQL a server-side cursor, so a large table streams instead of filling memory.
    cursor = dbapi.cursor(name="govbus_holding_rows") if connection.dialect.name == "postgresql" else dbapi.cursor()
    try:
        cursor.execute(f"SELECT {names} FROM {quote(layout['table'])} ORDER BY {order}")
        kinds = [_PYTHON[c["avro"]] for c in layout["columns"]]
        while batch := cursor.fetchmany(_FETCH):
            yield _avro_ready(batch, kinds)
    finally:
        cursor.close()


def _avro_ready(batch: list, kinds: list[type]) -> list[tuple]:
    # Drivers hand back what the column stores (SQLite booleans are 0/1, PostgreSQL dates are
    # dates): make each value the Avro type, so the read-back yields the very same tuples. Most
    # batches need nothing, and are passed on as they came, without copying.
    rows = batch if type(batch[0]) is tuple else [tuple(row) for row in batch]
    odd = {i: kind for i, kind in enumerate(kinds) if not set(map(type, map(itemgetter(i), rows))) <= {kind, type(None)}}
    if not odd:
        return rows
    return [tuple(v if v is None or i not in odd or type(v) is odd[i] else odd[i](v) for i, v in enumerate(row)) for row in rows]


def write_archive(folder: Path, layout: dict, batches: Iterable[list[tuple]], rows_per_file: int, holding: Holding, plan_id: str,
                  guard_writes: int | None = None) -> dict:
    """Write the files and then the manifest (last, atomically): a manifest means the files are complete.

    ``guard_writes`` is the table's write count when its rows were read (see ``guard``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    schema = fastavro.parse_schema(avro_schema(layout))
    names = [c["name"] for c in layout["columns"]]
    content, files, pieces, total = ContentHash(), [], [], 0
    for number, piece, text in encoded_chunks(batches, rows_per_file, schema, names):
        if pieces and number != len(files):
            files.append(_write_file(folder, len(files), pieces))
            pieces = []
        pieces.append(piece)
        content.add_text(text)
        total += piece[1]
    if not pieces:  # an empty table: one file, its header alone
        pieces = [(encoded(schema, names, [], os.urandom(16)), 0, b"")]
    files.append(_write_file(folder, len(files), pieces))
    manifest = {"plan_id": plan_id, "holding": holding.name, "agency": holding.agency, "layout": layout, "rows": total,
                "files": files, "content_sha256": content.hexdigest(), "retention": holding.retention, "guard_writes": guard_writes,
                "archived_at": datetime.now(timezone.utc).isoformat()}
    _atomic_write(folder / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
    return manifest


def _write_file(folder: Path, number: int, pieces: list[tuple[bytes, int, memoryview]]) -> dict:
    """One file: its header, then each chunk's blocks in order."""
    name, data = f"part-{number:05d}.avro", b"".join([pieces[0][0], *(blocks for _, _, blocks in pieces)])
    _atomic_write(folder / name, data)
    return {"name": name, "rows": sum(rows for _, rows, _ in pieces), "sha256": hashlib.sha256(data).hexdigest()}


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    with temporary.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FatalError(f"archive {folder}: no readable manifest ({exc})") from exc
