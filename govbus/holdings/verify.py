"""Reading an archive back: every file's SHA-256, the row count and the content hash must match the manifest.

The read-back decodes every record: that, and not a checksum, proves the archive readable. The
decoding is shared out by blocks over the machine's cores: each process decodes every n-th block
of a file and gives back, for each, its row count and the text the content hash is taken over;
the hash itself is taken here, block by block in file order: the hash of the rows in order.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import fastavro

from govbus.errors import FatalError
from govbus.holdings.encoding import ContentHash
from govbus.holdings.parallel import cores, in_shares
from govbus.store.upsert import values_getter

_BATCH = 20_000


def archived_rows(folder: Path, manifest: dict) -> Iterator[list[tuple]]:
    """The archive's rows in order, in batches; raises ``FatalError`` on a file that changed."""
    row_of = values_getter(_names(manifest))
    for entry in manifest["files"]:
        with io.BytesIO(_checked_bytes(folder, entry)) as source:
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
    names, content, count = _names(manifest), ContentHash(), 0
    for entry in manifest["files"]:
        data = _checked_bytes(folder, entry)
        blocks = sorted(block for share in in_shares(partial(_decoded_blocks, data, names), cores()) for block in share)
        if [index for index, _, _ in blocks] != list(range(len(blocks))):
            raise FatalError(f"archive file {folder / entry['name']}: its blocks did not all decode")
        rows = sum(n for _, n, _ in blocks)
        if rows != entry["rows"]:
            raise FatalError(f"archive file {folder / entry['name']} holds {rows} rows, its manifest entry {entry['rows']}")
        for _, _, text in blocks:
            content.add_text(text)
        count += rows
    digest = content.hexdigest()
    if count != manifest["rows"] or digest != manifest["content_sha256"]:
        raise FatalError(f"archive {folder} does not match its manifest: {count} rows read back of {manifest['rows']}, "
                         f"content hash {digest} against {manifest['content_sha256']}")


def _decoded_blocks(data: bytes, names: list[str], share: int, shares: int) -> list[tuple[int, int, bytes]]:
    """Decode every ``shares``-th block of an Avro file from block ``share`` on: (block number, rows, hashed text)."""
    row_of, decoded = values_getter(names), []
    with io.BytesIO(data) as source:
        for index, block in enumerate(fastavro.block_reader(source)):
            if index % shares == share:
                rows = list(map(row_of, block))
                decoded.append((index, len(rows), ContentHash.text(rows)))
    return decoded


def table_digest(batches) -> tuple[int, str]:
    """Row count and content hash of ordered rows, to compare with a manifest."""
    content, count = ContentHash(), 0
    for batch in batches:
        content.add(batch)
        count += len(batch)
    return count, content.hexdigest()


def _checked_bytes(folder: Path, entry: dict) -> bytes:
    # Read once: the same bytes are hashed and decoded (a file is at most ``rows_per_file`` rows, compressed).
    path = folder / entry["name"]
    data = path.read_bytes() if path.exists() else None
    if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise FatalError(f"archive file {path} is missing or its SHA-256 differs from the manifest")
    return data


def _names(manifest: dict) -> list[str]:
    return [c["name"] for c in manifest["layout"]["columns"]]
