"""A registry with golden records and a tax agency's legacy address table beside it, on SQLite and PostgreSQL.

The registry is written as reconciliation leaves it (people, record links with their values), so each
test knows exactly which rows are covered, which values agree and which copies are stale.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

from govbus.holdings.retire import RETIRED
from govbus.project import Project, load_project
from govbus.registry.tables import person, person_xref
from govbus.store import Store

REPO_ROOT = Path(__file__).resolve().parents[3]
TAX_URL = "GOVBUS_HOLDINGS_TAX_URL"
T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)

# The tax agency's copy: 20 taxpayers; 18 linked to a person, of which 2 have an outdated street.
TAXPAYERS = [
    {"tax_id": f"19800101-{n:04d}", "street": f"Storgatan {n}", "postcode": f"{10000 + n}", "city": "Norrvik"}
    for n in range(20)
]
UNLINKED = {"19800101-0018", "19800101-0019"}
MOVED = {"19800101-0003": "Hamngatan 3", "19800101-0007": "Hamngatan 7"}  # the population register's newer street


@pytest.fixture
def holdings_project(tmp_path: Path) -> Project:
    """A copy of the demo project whose catalogue lists the tax address table only.

    Its retirement topic is ``registry.holding.retired.<random>``, so tests sharing the session's
    broker each read only their own events.
    """
    root = tmp_path / "project"
    for folder in ("schemas", "contracts"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    topic = f"{RETIRED}.{uuid.uuid4().hex[:8]}"
    config = yaml.safe_load((REPO_ROOT / "govbus.yaml").read_text())
    config["topics"][topic] = config["topics"].pop(RETIRED)
    (root / "govbus.yaml").write_text(yaml.safe_dump(config))
    contract = root / "contracts" / "registry-holding-retired.yaml"
    contract.write_text(contract.read_text().replace(f"topic: {RETIRED}", f"topic: {topic}"))
    path = root / "contracts" / "holdings" / "catalogue.yaml"
    catalogue = yaml.safe_load(path.read_text())
    catalogue["holdings"] = {"tax_taxpayer_address": catalogue["holdings"]["tax_taxpayer_address"]}
    catalogue["policy"].update(min_coverage=0.85, min_agreement=0.85, samples=3, rows_per_file=8)
    path.write_text(yaml.safe_dump(catalogue))
    return load_project(root)


@pytest.fixture
def agency_url(fresh_store: Store, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where the tax agency's table lives: the store's SQLite file, or its own schema beside the store's."""
    if fresh_store.dialect == "sqlite":
        monkeypatch.setenv(TAX_URL, fresh_store.url)
        yield fresh_store.url
        return
    base = make_url(os.environ["GOVBUS_TEST_POSTGRES_URL"])
    schema = f"tax_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    monkeypatch.setenv(TAX_URL, url)
    try:
        yield url
    finally:
        Store(url).engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def tax_holding(fresh_store: Store, agency_url: str) -> list[dict]:
    """The registry's people and the tax agency's legacy table; returns the table's rows."""
    people, links = [], []
    for n, row in enumerate(TAXPAYERS):
        if row["tax_id"] in UNLINKED:
            continue
        pid = f"P{n:09d}"
        street = MOVED.get(row["tax_id"], row["street"])
        golden = {"street": {"value": street.lower(), "source": "population", "record_id": row["tax_id"]},
                  "postcode": {"value": row["postcode"], "source": "population", "record_id": row["tax_id"]}}
        people.append({"person_id": pid, "created_at": T0, "updated_at": T0, "golden": golden, "conflicts": {}})
        moved = row["tax_id"] in MOVED
        held = {"population": (street, T0 + timedelta(days=30 if moved else -30)), "tax": (row["street"], T0)}
        links += [{"source": s, "record_id": row["tax_id"], "person_id": pid, "match_probability": 1.0,
                   "model_version": "test", "linked_at": T0, "street": held[s][0].lower(), "postcode": row["postcode"],
                   "observed_at": held[s][1]} for s in ("tax", "population")]
    with fresh_store.begin() as connection:
        connection.execute(insert(person), people)
        connection.execute(insert(person_xref), links)
    with Store(agency_url).begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE tax_taxpayer_address (tax_id VARCHAR(20) PRIMARY KEY, street VARCHAR(100), "
            "postcode VARCHAR(10), city VARCHAR(50))")
        connection.exec_driver_sql("CREATE INDEX ix_tax_address_postcode ON tax_taxpayer_address (postcode)")
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(f"INSERT INTO tax_taxpayer_address VALUES ({marker}, {marker}, {marker}, {marker})",
                                   [tuple(r.values()) for r in TAXPAYERS])
    return TAXPAYERS
