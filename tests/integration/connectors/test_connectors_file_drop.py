"""File drops: each complete file published once, then filed under done/ or failed/ with a report."""

from __future__ import annotations

import json
import os
import time

from connector_conformance import feed_of
from connector_feeds import REJECTED_POSTCODE, FileDropFeed, moves, read_topic


class TestFileDropFolders:
    feed = feed_of(FileDropFeed)

    def test_a_clean_file_goes_to_done_with_a_report(self, feed: FileDropFeed):
        feed.add(moves(1, 9))
        feed.run()
        assert sorted(p.name for p in feed.inbox.iterdir()) == ["done"]
        report = json.loads((feed.inbox / "done" / "moves-001.jsonl.report.json").read_text())
        assert (report["read"], report["sent"], report["rejected"], report["outcome"]) == (9, 9, 0, "done")
        assert (feed.inbox / "done" / "moves-001.jsonl").exists()

    def test_a_file_with_rejected_rows_goes_to_failed_naming_each_row(self, feed: FileDropFeed):
        feed.add(moves(1, 8) + moves(50, 1, REJECTED_POSTCODE) + moves(9, 3))
        feed.run()
        report = json.loads((feed.inbox / "failed" / "moves-001.jsonl.report.json").read_text())
        assert (report["read"], report["sent"], report["rejected"], report["outcome"]) == (12, 11, 1, "failed")
        # Row 9 is in the file's second batch: its number counts from the top of the file.
        (rejection,) = report["rejections"]
        assert (rejection["record_number"], rejection["field"]) == (9, "postcode")

    def test_half_written_and_just_written_files_are_left_alone(self, feed: FileDropFeed):
        (feed.inbox / ".moves-002.jsonl").write_text(json.dumps(moves(1, 1)[0]) + "\n")
        (feed.inbox / "moves-003.jsonl.tmp").write_text(json.dumps(moves(2, 1)[0]) + "\n")
        (feed.inbox / "moves-004.jsonl").write_text(json.dumps(moves(3, 1)[0]) + "\n")
        feed.definition.options["settle_seconds"] = 60
        assert feed.run().outcome.read == 0
        # The same file once it has not changed for the settle time.
        old = time.time() - 120
        os.utime(feed.inbox / "moves-004.jsonl", (old, old))
        assert feed.run().outcome.sent == 1
        assert sorted(p.name for p in feed.inbox.iterdir()) == [".moves-002.jsonl", "done", "moves-003.jsonl.tmp"]

    def test_csv_files_are_read_with_the_schema_types(self, feed: FileDropFeed):
        rows = moves(1, 3)
        header = list(rows[0])
        lines = [",".join(header)] + [",".join(str(r[h]) for h in header) for r in rows]
        (feed.inbox / "moves.csv").write_text("\n".join(lines) + "\n")
        assert feed.run().outcome.sent == 3
        assert sorted(read_topic(feed.project, feed.settings, feed.project.moves), key=lambda r: r["national_id"]) == rows
