"""File-drop source: CSV or JSON Lines files that a partner drops into a folder.

Each file is published once, then moved to ``done/`` (every row sent or quarantined) or
``failed/`` (some row rejected, or the file could not be read), next to a ``<file>.report.json``
with the counts and each rejected row. A half-written file is never read: writers write
``name.tmp`` or a dotfile and rename it when complete, and a file is only taken once it has not
changed for ``settle_seconds`` (default 10), which also covers writers that cannot rename.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import asdict
from itertools import islice
from pathlib import Path
from typing import Any, Iterator

from govbus.bus.headers import now_iso
from govbus.connectors.base import BatchOutcome, Source, SourceBatch
from govbus.connectors.definition import ConnectorDefinition
from govbus.errors import ConfigurationError
from govbus.project import Project
from govbus.settings import KafkaSettings
from govbus.record_files import read_records

SUFFIXES = {".csv", ".jsonl", ".ndjson", ".json"}
# Rejections listed in a report; the counts always cover every row.
REPORTED_REJECTIONS = 1000


class FileDropSource(Source):
    kind = "file_drop"
    reads_database = False

    def __init__(self, definition: ConnectorDefinition, project: Project, settings: KafkaSettings | None = None) -> None:
        super().__init__(definition, project, settings)
        folder = definition.option("folder")
        if not folder:
            raise ConfigurationError(f"connector {definition.name}: a file_drop source needs options.folder")
        self.inbox = project.root / Path(folder)
        if not self.inbox.is_dir():
            raise ConfigurationError(f"connector {definition.name}: drop folder {self.inbox} does not exist")
        self.settle_seconds = float(definition.option("settle_seconds", 10))
        self.file_format = definition.option("format")
        self.schema = project.registry.get(project.topic(definition.topic_name(project)).subject)

    def ready_files(self) -> list[Path]:
        """Complete files, oldest name first: no temporary or hidden names, unchanged for a while."""
        settled_before = time.time() - self.settle_seconds
        return sorted(
            path
            for path in self.inbox.iterdir()
            if path.is_file()
            and not path.name.startswith(".")
            and path.suffix.lower() in SUFFIXES
            and path.stat().st_mtime <= settled_before
        )

    def batches(self, position: Any) -> Iterator[SourceBatch]:
        for path in self.ready_files():
            report = _resumed(position, path) or _new_report(path)
            rows = read_records(path, self.schema, self.file_format)
            try:
                remaining = islice(rows, report["read"], None)
                while chunk := list(islice(remaining, self.definition.batch_size)):
                    # Row numbers from where this chunk starts: the rows before it are acknowledged.
                    origins = [f"{path.name} {report['size']} {report['read'] + n}" for n in range(1, len(chunk) + 1)]
                    yield SourceBatch(chunk, report, handle=path, origins=origins)
            except (UnicodeDecodeError, csv.Error, OSError) as exc:
                report["error"] = f"unreadable after row {report['read']}: {exc}"
            # An empty closing batch moves the file, once everything before it is acknowledged.
            yield SourceBatch([], report, handle=path)

    def acknowledge(self, batch: SourceBatch, outcome: BatchOutcome) -> Any:
        report = batch.position
        done = report["read"]
        for name, count in outcome.counts().items():
            report[name] += count
        listed = report["rejections"]
        listed += [{**asdict(r), "record_number": r.record_number + done} for r in outcome.rejections][
            : REPORTED_REJECTIONS - len(listed)
        ]
        if not batch.rows:
            self._file_away(batch.handle, report)
        return report

    def _file_away(self, path: Path, report: dict[str, Any]) -> None:
        report["finished_at"] = now_iso()
        report["outcome"] = "failed" if report["rejected"] or report["failed"] or report.get("error") else "done"
        folder = self.inbox / report["outcome"]
        folder.mkdir(exist_ok=True)
        target = folder / path.name
        if target.exists():
            # The same name dropped twice: keep both, the later one stamped.
            target = folder / f"{path.stem}.{time.strftime('%Y%m%dT%H%M%S')}{path.suffix}"
        report["moved_to"] = str(target.relative_to(self.inbox))
        Path(f"{target}.report.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
        path.rename(target)


def _new_report(path: Path) -> dict[str, Any]:
    counts = dict.fromkeys(BatchOutcome().counts(), 0)
    return {"file": path.name, "size": path.stat().st_size, **counts, "rejections": []}


def _resumed(position: Any, path: Path) -> dict[str, Any] | None:
    """The stored report of ``path`` if an earlier run stopped in the middle of this same file."""
    if position and position.get("file") == path.name and position.get("size") == path.stat().st_size:
        return position
    return None
