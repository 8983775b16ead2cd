"""The steward's agreement report, opened in headless Chromium after thousands of validations."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import insert
from contract_services import copy_project

from govbus.contracts.batches import FrameBatch
from govbus.contracts.tables import availability_probe
from govbus.contracts.history import record_run
from govbus.contracts.loader import load_contracts
from govbus.contracts.results import RuleResult, Status, ValidationRun
from govbus.contracts.validate import validate_batch
from govbus.reports.agreements import HISTORY_ROWS, TREND_RUNS
from govbus.reports.build import build_agreement_report

CHROMIUM = shutil.which("chromium")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
PAST_RUNS = 2500
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)")


def chromium(*args: str, profile: Path) -> str:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout


class Sections(HTMLParser):
    """The visible text a steward reads per agreement: each clause row group and the service levels."""

    def __init__(self) -> None:
        super().__init__()
        self.agreement: str | None = None
        self.clauses: dict[tuple[str, str], str] = {}
        self.levels: dict[str, str] = {}
        self._text: list[str] | None = None
        self._tag = self._classes = ""
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "agreement" in (attrs.get("class") or ""):
            self.agreement = attrs.get("id")
        classes = attrs.get("class") or ""
        if tag == self._tag and self._text is not None:
            self._depth += 1  # a history table nested in the clause's row group
        elif (tag == "tbody" and classes.startswith("clause ")) or (tag == "ul" and classes == "levels"):
            self._text, self._tag, self._classes, self._depth = [], tag, classes, 0

    def handle_endtag(self, tag):
        if tag == self._tag and self._text is not None and self._depth:
            self._depth -= 1
        elif tag == self._tag and self._text is not None:
            text = " ".join(" ".join(self._text).split())
            if tag == "ul":
                self.levels[self.agreement] = text
            else:
                self.clauses[(self.agreement, text.split(" ", 1)[0])] = f"[{self._classes}] {text}"
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def past_run(number: int) -> ValidationRun:
    failing = 3 if number % 7 == 0 else 0
    rule = RuleResult("AGR-2026-031", "3.3", "postcode", "regex", r"regex ^\d{5}$", "expect_column_values_to_match_regex",
                      Status.failed if failing else Status.passed, 1000, failing, failing / 10, None, ("999",) * failing)
    return ValidationRun(f"past{number:05d}", "post-change-of-address", "1.0.0", "AGR-2026-031", "post.address.change_notified",
                         f"notices-{number}.csv", NOW - timedelta(hours=PAST_RUNS - number), 1.0, 1000, [rule])


def test_a_steward_reads_failing_clauses_counts_samples_and_trend_in_the_browser(sqlite_store, tmp_path):
    project = copy_project(tmp_path / "project")
    contract = next(c for c in load_contracts(project.contracts_dir) if c.id == "post-change-of-address")
    for number in range(PAST_RUNS):
        record_run(sqlite_store, past_run(number))
    latest = pd.DataFrame(
        [{"notice_id": f"N{n}", "full_name": "Karin Öberg", "date_of_birth": "1975-04-03", "old_street": "Strandvägen 2",
          "old_postcode": "55566", "street": "Björkallén 9", "postcode": {4: "2223", 8: "ABCDE"}.get(n, "66677"),
          "city": "Lilla Hamn", "effective_on": "2026-06-15", "occurred_at": (NOW - timedelta(minutes=n)).isoformat()} for n in range(300)]
    )
    run = validate_batch(project, contract, FrameBatch(latest, "notices-2026-06-01.csv"), now=NOW)
    record_run(sqlite_store, run)
    # Four hours of probes of AGR-2026-014's topic, one of them finding the broker away.
    with sqlite_store.begin() as connection:
        connection.execute(insert(availability_probe), [
            {"contract_id": "population-address-changes", "agreement_ref": "AGR-2026-014", "topic": "population.person.address_changed",
             "probed_at": NOW - timedelta(hours=hours, minutes=minutes), "available": not (hours, minutes) == (2, 10), "detail": ""}
            for hours in range(4) for minutes in (10, 40)
        ])
    report = build_agreement_report(project, sqlite_store, now=NOW)

    # However many validations there are, the page holds a bounded window of them.
    assert report.stat().st_size < 600_000
    dom = chromium("--dump-dom", report.as_uri(), profile=tmp_path / "chromium")
    page = Sections()
    page.feed(dom)
    assert f"{PAST_RUNS + 1:,} validations in all" in dom
    postcodes = page.clauses[("AGR-2026-031", "3.3")]
    assert postcodes.startswith("[clause failed]")
    assert "100% of postcodes, old and new, are valid five-digit postcodes." in postcodes
    assert "postcode: regex ^\\d{5}$ — 2 failing" in postcodes and "2223" in postcodes and "ABCDE" in postcodes
    assert f"History: latest {HISTORY_ROWS} of {TREND_RUNS} recent runs" in postcodes
    assert postcodes.count("notices-") == HISTORY_ROWS and f"notices-{PAST_RUNS - 1}.csv" in postcodes
    section = dom[dom.index('id="AGR-2026-031"'):]
    trend = re.search(r'aria-label="trend over (\d+) runs: ([^"]+)"', section[section.index("<td>3.3</td>"):])
    assert trend and int(trend.group(1)) == TREND_RUNS and "failed" in trend.group(2)
    assert page.clauses[("AGR-2026-031", "5.1")].startswith("[clause passed]")
    assert "Freshness within 24h (clause 5.1) passed" in page.levels["AGR-2026-031"]
    assert "Completeness at least 100.0% (clause 5.2) passed" in page.levels["AGR-2026-031"]
    # Availability is measured, next to freshness and completeness: 3 of 4 hourly windows took publishes.
    assert "Availability at least 99.5% (clause 4.3) measured 75.0% of 4 hourly windows failed" in page.levels["AGR-2026-014"]
    # The link to this run's Data Docs page leads to a file GX wrote.
    link = re.search(r'href="(data_docs/validations/[^"]+)"', section).group(1)
    assert (report.parent / link).is_file()
    # Agreements nobody has validated yet are listed, marked as such.
    assert page.clauses[("AGR-2026-014", "4.1")].startswith("[clause none]") and "not checked" in page.clauses[("AGR-2026-014", "4.1")]
    screenshot = Path(os.environ.get("GOVBUS_REPORT_SCREENSHOT", tmp_path / "report.png"))
    chromium("--window-size=1400,1600", f"--screenshot={screenshot}", report.as_uri(), profile=tmp_path / "chromium")
    assert screenshot.stat().st_size > 20_000
