"""A write to the holding between its archive and its swap blocks the swap: the archive would miss it.

The retirement process is killed (SIGKILL) right after the verified archive is recorded; the tax
agency then writes to its table for real; the resumed retirement must refuse to swap and leave the
table, with the new row, in place.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from govbus.errors import FatalError
from govbus.holdings import approve, plan_all, retire, scan_all
from govbus.holdings.agency import table_state
from govbus.holdings.guard import GUARD_TABLE
from govbus.holdings.steps import CRASH_AT
from govbus.store import Store

GOVBUS = str(Path(sys.executable).with_name("govbus"))


def _archived_then_killed(project, store) -> str:
    scan_all(project, store)
    plan_id = plan_all(project, store).plans[0].plan_id
    approve(project, store, plan_id, by="anna.steward", reason="guard test")
    killed = subprocess.run([GOVBUS, "--project", str(project.root), "holdings", "retire", plan_id, "--execute"],
                            env={**os.environ, "GOVBUS_STORE_URL": store.url, CRASH_AT: "verified+recorded"},
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    return plan_id


@pytest.mark.parametrize("write", [
    "INSERT INTO tax_taxpayer_address VALUES ('19800101-0099', 'Nygatan 1', '10099', 'Norrvik')",
    "UPDATE tax_taxpayer_address SET street = 'Nygatan 2' WHERE tax_id = '19800101-0004'",
    "DELETE FROM tax_taxpayer_address WHERE tax_id = '19800101-0005'",
])
def test_a_write_after_the_archive_blocks_the_swap(holdings_project, fresh_store, agency_url, tax_holding, write):
    plan_id = _archived_then_killed(holdings_project, fresh_store)
    agency = Store(agency_url)
    with agency.begin() as connection:
        connection.exec_driver_sql(write)
        expected = connection.exec_driver_sql("SELECT count(*) FROM tax_taxpayer_address").scalar_one()

    with pytest.raises(FatalError, match=rf"tax_taxpayer_address changed since it was archived \({expected} rows now, 20 archived, "
                                         r"1 rows written\): nothing was replaced; plan a new retirement"):
        retire(holdings_project, fresh_store, plan_id, execute=True)
    with agency.begin() as connection:
        assert table_state(connection, "tax_taxpayer_address") == "table"
        assert connection.exec_driver_sql("SELECT count(*) FROM tax_taxpayer_address").scalar_one() == expected


def test_a_guard_removed_after_the_archive_blocks_the_swap(holdings_project, fresh_store, agency_url, tax_holding):
    plan_id = _archived_then_killed(holdings_project, fresh_store)
    agency = Store(agency_url)
    with agency.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {GUARD_TABLE}" + (" CASCADE" if connection.dialect.name == "postgresql" else ""))
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql('DROP TRIGGER "govbus_guard_tax_taxpayer_address_update"')
        else:
            connection.exec_driver_sql('DROP TRIGGER "govbus_guard_tax_taxpayer_address_rows" ON tax_taxpayer_address')

    with pytest.raises(FatalError, match="write guard is not in place.*nothing was replaced; plan a new retirement"):
        retire(holdings_project, fresh_store, plan_id, execute=True)
    with agency.begin() as connection:
        assert table_state(connection, "tax_taxpayer_address") == "table"
