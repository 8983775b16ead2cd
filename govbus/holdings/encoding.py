"""Encoding an archive's rows: Avro blocks and the content hash's text, made on every core while the rows are read.

Each chunk of rows is encoded, and its hash text made, in a forked process (``govbus.forked``)
while this one reads the next; only the compressed blocks and the text come back through a pipe.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections import deque
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import repeat

import fastavro

from govbus.errors import FatalError
from govbus.holdings.parallel import again_here, computed_ahead, cores

# Rows one forked process encodes while the next are read: small enough that the last one, which
# nothing overlaps, is short; large enough for whole blocks and few forks.
_CHUNK = 40_000
# Blocks of about 1 MiB (fastavro's default is 16 kB): fewer, larger blocks cost less per row to
# write and to read back; level 1 deflate compresses such rows about as well as the default level.
_SYNC_INTERVAL = 1 << 20
_DEFLATE_LEVEL = 1


class ContentHash:
    """SHA-256 over the rows in order, each as the ``repr`` of its tuple: unambiguous and fast."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, rows: list[tuple]) -> None:
        self.add_text(self.text(rows))

    def add_text(self, text: bytes) -> None:
        self._hash.update(text)

    @staticmethod
    def text(rows: list[tuple]) -> bytes:
        """What the hash is taken over for ``rows``: hashing these texts in order is hashing the rows."""
        return ("\n".join(map(repr, rows)) + "\n").encode() if rows else b""

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def encoded(schema: dict, names: list[str], rows: list[tuple], marker: bytes) -> bytes:
    out = io.BytesIO()
    # The values are never (branch, value) tuples, so fastavro need not look for that notation.
    fastavro.writer(out, schema, map(dict, map(zip, repeat(names), rows)), codec="deflate", sync_interval=_SYNC_INTERVAL,
                    codec_compression_level=_DEFLATE_LEVEL, sync_marker=marker, disable_tuple_notation=True)
    return out.getvalue()


def encoded_chunks(batches: Iterable[list[tuple]], rows_per_file: int, schema: dict,
                   names: list[str]) -> Iterator[tuple[int, tuple[bytes, int, memoryview], bytes]]:
    """(file number, (its header, rows, Avro blocks), hashed text) of each chunk of rows, in order.

    Each chunk is encoded, and its hash text made, in a forked process while this one reads on, up
    to one chunk per core at a time: reading overlaps encoding. With the same schema, codec and
    sync marker every chunk of a file starts with the same header, so the header once and then
    each chunk's blocks, in order, are one container file of all its rows.
    """
    pending: deque = deque()
    headers: dict[int, tuple[bytes, bytes]] = {}  # file number -> (sync marker, header)
    try:
        for number, rows in _chunks(batches, rows_per_file):
            if number not in headers:
                marker = os.urandom(16)
                headers[number] = marker, encoded(schema, names, [], marker)
            if len(pending) == cores():
                yield _taken(pending)
            chunk = partial(_encoded_chunk, schema, names, rows, headers[number][0])
            work = computed_ahead(chunk, again_here(chunk))
            pending.append((number, headers[number][1], len(rows), work, work.__enter__()))
        while pending:
            yield _taken(pending)
    finally:
        for *_, work, _ in pending:
            work.__exit__(None, None, None)


def _chunks(batches: Iterable[list[tuple]], rows_per_file: int) -> Iterator[tuple[int, list[tuple]]]:
    """(file number, rows) of at most ``_CHUNK`` rows each, none across two files."""
    number, in_file, part = 0, 0, []
    for batch in batches:
        part.extend(batch)
        while len(part) >= (size := min(_CHUNK, rows_per_file - in_file)):
            yield number, part[:size]
            part, in_file = part[size:], in_file + size
            if in_file == rows_per_file:
                number, in_file = number + 1, 0
    if part:
        yield number, part


def _encoded_chunk(schema: dict, names: list[str], rows: list[tuple], marker: bytes) -> list[tuple[bytes, bytes]]:
    return [(encoded(schema, names, rows, marker), ContentHash.text(rows))]


def _taken(pending: deque) -> tuple[int, tuple[bytes, int, memoryview], bytes]:
    number, header, rows, work, stream = pending.popleft()
    try:
        ((data, text),) = stream
    finally:
        work.__exit__(None, None, None)
    if not data.startswith(header):
        raise FatalError(f"archive file {number}: a chunk of its rows was encoded with another header")
    return number, (header, rows, memoryview(data)[len(header):]), text
