"""``govbus holdings plan``: a retirement plan per holding from its latest measurement.

A holding is a candidate when its coverage and agreement reach the policy's thresholds. The plan
says what is archived, which view replaces the table, and what is at risk (rows the registry does
not cover, values it disagrees with, columns it does not hold), with samples. A legal hold, or a
database the view could not read the registry from, blocks it. A newer measurement supersedes a
plan no steward has approved yet; an approved plan stays as it was approved.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Connection, func, insert, select, update

from govbus.errors import ConfigurationError
from govbus.holdings.agency import reflect, registry_prefix
from govbus.holdings.catalogue import Catalogue, Holding, archive_root, load_catalogue
from govbus.holdings.replacement import view_sql
from govbus.holdings.results import PlanResult, RetirementPlan
from govbus.holdings.tables import holding_measurement, retirement_approval, retirement_plan
from govbus.project import Project
from govbus.store.engine import Store

OPEN = ("proposed", "not_candidate", "blocked")
SETTLED = ("approved", "retired")


def plan_all(project: Project, store: Store) -> PlanResult:
    """A plan for each holding measured and still a table; reruns keep plans that have not changed."""
    store.migrate()
    catalogue = load_catalogue(project)
    result = PlanResult()
    for holding in catalogue.holdings.values():
        with store.begin() as connection:
            measurement = _latest(connection, holding.name)
            current = _current_plan(connection, holding.name)
        if measurement is None or not measurement["present"]:
            continue
        if current is not None and (current.status in SETTLED or current.measurement_id == measurement["measurement_id"]):
            result.plans.append(current)
            continue
        document, status = _document(project, store, catalogue, holding, measurement)
        plan = RetirementPlan(f"{holding.name}-{measurement['measurement_id']}", holding.name, status,
                              datetime.now(timezone.utc), measurement["measurement_id"], document)
        with store.begin() as connection:
            connection.execute(update(retirement_plan).where(retirement_plan.c.holding == holding.name,
                                                             retirement_plan.c.status.in_(OPEN)).values(status="superseded"))
            connection.execute(insert(retirement_plan).values(
                plan_id=plan.plan_id, holding=plan.holding, measurement_id=plan.measurement_id,
                created_at=plan.created_at, status=plan.status, document=plan.document))
        result.plans.append(plan)
    return result


def _document(project: Project, store: Store, catalogue: Catalogue, holding: Holding, m: dict) -> tuple[dict, str]:
    policy, details = catalogue.policy, m["details"]
    blockers = [f"legal hold on {holding.name}: its owner ({holding.owner}) must lift it in the catalogue"] if holding.legal_hold else []
    try:
        prefix = registry_prefix(holding, store)
        with holding.database(store).begin() as agency:
            table = reflect(agency, holding.table)
            replacement = view_sql(holding, table, agency.dialect, prefix)
    except ConfigurationError as exc:
        blockers.append(str(exc))
        replacement = None
    passes = (m["coverage"] or 0) >= policy.min_coverage and (m["agreement"] or 0) >= policy.min_agreement
    risks = [
        {"risk": "uncovered_rows", "count": m["rows"] - m["covered_rows"], "samples": details["uncovered_samples"],
         "means": "rows the registry links to nobody: the view will not show them; they stay in the archive"},
        {"risk": "disagreements", "count": m["compared_values"] - m["agreeing_values"], "samples": details["disagreement_samples"],
         "means": "values that differ from the golden record: readers of the view will see the golden value"},
        *({"risk": "column_not_in_registry", "column": c, "count": n, "samples": [],
           "means": f"{c} is held only here: the view answers NULL; its values stay in the archive"}
          for c, n in details["unmapped_values"].items()),
    ]
    document = {
        "holding": {"name": holding.name, "agency": holding.agency, "owner": holding.owner, "legal_basis": holding.legal_basis,
                    "retention": holding.retention, "legal_hold": holding.legal_hold, "database": details["database"],
                    "table": holding.table},
        "measures": {k: m[k] for k in ("coverage", "agreement", "staleness", "rows", "covered_rows")}
        | {"measured_at": m["measured_at"].isoformat(), "min_coverage": policy.min_coverage, "min_agreement": policy.min_agreement},
        "archive": {"rows": m["rows"], "format": "Avro object container files, schema embedded, deflate",
                    "folder": str(archive_root(project, catalogue) / holding.name)},
        "replacement": {"view": holding.table, "sql": replacement},
        "risks": [r for r in risks if r["count"]],
        "blockers": blockers,
    }
    return document, "blocked" if blockers else "proposed" if passes else "not_candidate"


def _latest(connection: Connection, holding: str) -> dict | None:
    newest = select(func.max(holding_measurement.c.measurement_id)).where(holding_measurement.c.holding == holding).scalar_subquery()
    row = connection.execute(select(holding_measurement).where(holding_measurement.c.measurement_id == newest)).mappings().first()
    return dict(row) if row else None


def _current_plan(connection: Connection, holding: str) -> RetirementPlan | None:
    row = connection.execute(select(retirement_plan.c.plan_id).where(
        retirement_plan.c.holding == holding, retirement_plan.c.status.in_((*OPEN, *SETTLED)))).first()
    return load_plan(connection, row[0]) if row else None


def load_plan(connection: Connection, plan_id: str) -> RetirementPlan:
    row = connection.execute(select(retirement_plan).where(retirement_plan.c.plan_id == plan_id)).mappings().first()
    if row is None:
        known = connection.execute(select(retirement_plan.c.plan_id).order_by(retirement_plan.c.created_at.desc()).limit(10)).scalars()
        raise ConfigurationError(f"no retirement plan {plan_id!r} (recent plans: {', '.join(known) or 'none; run govbus holdings plan'})")
    approval = connection.execute(select(retirement_approval).where(retirement_approval.c.plan_id == plan_id)).mappings().first()
    return RetirementPlan(row["plan_id"], row["holding"], row["status"], row["created_at"], row["measurement_id"],
                          row["document"], approval and {**approval, "approved_at": approval["approved_at"].isoformat()})


def plans(connection: Connection, statuses: tuple[str, ...] = (*OPEN, *SETTLED, "restored")) -> list[RetirementPlan]:
    ids = connection.execute(select(retirement_plan.c.plan_id).where(retirement_plan.c.status.in_(statuses))
                             .order_by(retirement_plan.c.holding, retirement_plan.c.created_at)).scalars().all()
    return [load_plan(connection, i) for i in ids]
