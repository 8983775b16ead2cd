"""Connector kinds: built in or added by a third party's entry point, and loaded only when asked for."""

from __future__ import annotations

import subprocess
import sys

import pytest

from govbus.connectors.base import Source
from govbus.connectors.definition import Direction
from govbus.connectors.kinds import connector_class, known_kinds
from govbus.errors import ConfigurationError

THIRD_PARTY = '''
from govbus.connectors.base import Source, SourceBatch


class MainframeSource(Source):
    kind = "mainframe_extract"
    reads_database = False

    def batches(self, position):
        yield SourceBatch([], None)
'''


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """A package installed the way pip leaves one: a module and a dist-info with its entry point."""
    (tmp_path / "agency_mainframe.py").write_text(THIRD_PARTY)
    info = tmp_path / "agency_mainframe-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: agency-mainframe\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[govbus.connectors]\nmainframe_extract = agency_mainframe:MainframeSource\n")
    monkeypatch.syspath_prepend(str(tmp_path))


def test_a_third_party_kind_is_found_through_its_entry_point(installed_plugin):
    found = connector_class("mainframe_extract")
    assert issubclass(found, Source) and found.kind == "mainframe_extract"
    assert known_kinds() == ["sql_table", "outbox", "file_drop", "cdc", "mainframe_extract"]
    # A source is not a sink, whatever its entry point is called.
    assert "mainframe_extract" not in known_kinds(Direction.sink)


def test_an_unknown_kind_is_reported_with_the_known_ones(installed_plugin):
    with pytest.raises(ConfigurationError, match=r"unknown source kind 'sql_tabel' \(known: sql_table, outbox, file_drop, cdc, mainframe_extract\)"):
        connector_class("sql_tabel")
    with pytest.raises(ConfigurationError, match=r"unknown sink kind 'outbox' \(known: sql_table\)"):
        connector_class("outbox", Direction.sink)


def test_reading_the_registry_imports_no_connector_until_one_is_asked_for():
    probe = "import sys, govbus.connectors; print(sorted(m for m in sys.modules if m.startswith('govbus.connectors.')))"
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    for kind_module in ("sql_table", "outbox", "file_drop", "cdc", "table_sink"):
        assert f"govbus.connectors.{kind_module}'" not in loaded
