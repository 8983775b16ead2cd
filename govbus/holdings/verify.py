"""Reading an archive back: every file's SHA-256, the row count and the content hash must match the manifest."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import fastavro

from govbus.errors import FatalError
from govbus.holdings.archive import ContentHash
from govbus.store.upsert import values_getter

_BATCH = 20_000


def archived_rows(folder: Path, manifest: dict) -> Iterator[list[tuple]]:
    """The archive's rows in order, in batches; raises ``FatalError`` on a file that changed."""
    row_of = values_getter([c["name"] for c in manifest["layout"]["columns"]])
    for entry in manifest["files"]:
        path = folder / entry["name"]
        # Read once: the same bytes are hashed and decoded (a file is at most ``rows_per_file`` rows, compressed).
        data = path.read_bytes() if path.exists() else None
        if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise FatalError(f"archive file {path} is missing or its SHA-256 differs from the manifest")
        with io.BytesIO(data) as source:
            batch = []
            for record in fastavro.reader(source):
                batch.append(row_of(record))
                if len(batch) == _BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch


def verify_archive(folder: Path, manifest: dict) -> None:
    """Raise ``FatalError`` unless the archive holds exactly the rows the manifest promises."""
    count, digest = table_digest(archived_rows(folder, manifest))
    if count != manifest["rows"] or digest != manifest["content_sha256"]:
        raise FatalError(f"archive {folder} does not match its manifest: {count} rows read back of {manifest['rows']}, "
                         f"content hash {digest} against {manifest['content_sha256']}")


def table_digest(batches) -> tuple[int, str]:
    """Row count and content hash of ordered rows, to compare with a manifest."""
    content, count = ContentHash(), 0
    for batch in batches:
        content.add(batch)
        count += len(batch)
    return count, content.hexdigest()
