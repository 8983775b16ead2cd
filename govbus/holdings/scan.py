"""``govbus holdings scan``: measure every catalogued holding and keep each measurement, for trends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import Table, func, insert, select

from govbus.errors import ConfigurationError
from govbus.holdings.agency import last_access, reflect, table_state
from govbus.holdings.catalogue import Catalogue, Holding, load_catalogue
from govbus.holdings.measures import staleness, tally_rows
from govbus.holdings.reach import registry_tables
from govbus.holdings.results import HoldingReport, ScanResult
from govbus.holdings.tables import holding_measurement
from govbus.project import Project
from govbus.reconcile.mapping import SourceMappings, load_mappings
from govbus.registry.run import reconcile_folder  # the same mapping file reconciliation normalised with
from govbus.registry.survivorship import authorities
from govbus.store.engine import Store

# ``progress(holding, rows_done, rows_total)``
Progress = Callable[[str, int, int], None]


def scan_all(project: Project, store: Store, *, holdings: list[str] | None = None, progress: Progress | None = None) -> ScanResult:
    """Measure each holding (all catalogued ones unless ``holdings`` names some) and store the measurements."""
    store.migrate()
    catalogue = load_catalogue(project)
    chosen = [catalogue.holding(n) for n in holdings] if holdings else list(catalogue.holdings.values())
    mappings = load_mappings(reconcile_folder(project) / "sources.yaml")
    result = ScanResult()
    for holding in chosen:
        report = scan_holding(project, store, catalogue, holding, mappings, progress)
        with store.begin() as connection:
            report.measurement_id = connection.execute(insert(holding_measurement).values(_row(report))).inserted_primary_key[0]
        result.holdings.append(report)
    return result


def scan_holding(project: Project, store: Store, catalogue: Catalogue, holding: Holding, mappings: SourceMappings,
                 progress: Progress | None = None) -> HoldingReport:
    database = holding.database(store)
    report = HoldingReport(holding.name, holding.agency, holding.shown_url(store), holding.table,
                           datetime.now(timezone.utc), present=False, state="absent")
    with database.begin() as agency:
        report.state = table_state(agency, holding.table)
        if report.state != "table":
            report.last_access_note = "retired: a view over the registry" if report.state == "view" else "no such table"
            return report
        table = reflect(agency, holding.table)
        unmapped = _check_columns(holding, table)
        access = last_access(agency, holding.table)
        total = agency.execute(select(func.count()).select_from(table)).scalar_one()
        if progress:
            progress(holding.name, 0, total)
        with store.begin() as registry:
            timed, stale = staleness(registry, holding, authorities(project.agencies))
        # The measures join the registry inside the agency database.
        with registry_tables(agency, holding, store) as registry:
            tally = tally_rows(agency, table, holding, mappings, unmapped, catalogue.policy.samples, registry)
        if progress:
            progress(holding.name, tally.rows, total)
    report.present = True
    report.last_access, report.last_access_note = access.at, access.note
    report.timed_values, report.stale_values = timed, stale
    for name in ("rows", "covered_rows", "compared_values", "agreeing_values", "per_column", "unmapped_values",
                 "uncovered_samples", "disagreement_samples"):
        setattr(report, name, getattr(tally, name))
    return report


def _check_columns(holding: Holding, table: Table) -> list[str]:
    """The table's columns the registry does not hold; raises when the catalogue names a missing one."""
    present = [c.name for c in table.columns]
    missing = sorted({*holding.key_columns, *holding.columns} - set(present))
    if missing:
        raise ConfigurationError(f"holding {holding.name}: table {holding.table} has no column {', '.join(missing)} "
                                 f"(it has: {', '.join(present)})")
    return [c for c in present if c not in holding.key_columns and c not in holding.columns]


def _row(report: HoldingReport) -> dict:
    keep = ("holding", "measured_at", "present", "rows", "covered_rows", "compared_values", "agreeing_values",
            "timed_values", "stale_values", "last_access")
    return {**{k: getattr(report, k) for k in keep}, "coverage": report.coverage, "agreement": report.agreement,
            "staleness": report.staleness, "last_access_known": report.last_access is not None or "never" in report.last_access_note,
            "details": {k: getattr(report, k) for k in ("state", "per_column", "unmapped_values", "uncovered_samples",
                                                        "disagreement_samples", "last_access_note", "database", "table", "agency")}}


def measurements(store: Store, holding: str) -> list[dict]:
    """Every stored measurement of ``holding``, oldest first: its redundancy trend."""
    store.migrate()
    columns = [holding_measurement.c[n] for n in ("measurement_id", "measured_at", "rows", "coverage", "agreement",
                                                   "staleness", "last_access")]
    with store.begin() as connection:
        rows = connection.execute(select(*columns).where(holding_measurement.c.holding == holding)
                                  .order_by(holding_measurement.c.measurement_id)).mappings().all()
    return [dict(r) for r in rows]
