"""``govbus holdings restore``: rebuild a retired table from its archive, exactly, and remove its view.

The archive is verified first; the table is rebuilt with its columns, key and indexes, refilled,
and re-hashed inside the same transaction: unless the content hash equals the manifest's, nothing
changes and the view stays.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from govbus import audit
from govbus.errors import FatalError
from govbus.holdings.approval import RetirementRefused
from govbus.holdings.archive import ordered_rows
from govbus.holdings.catalogue import load_catalogue
from govbus.holdings.replacement import drop_view
from govbus.holdings.results import RetirementOutcome
from govbus.holdings.retire import archive_folder, retired_name
from govbus.holdings.steps import record_step, step_of
from govbus.holdings.tables import retirement_plan
from govbus.holdings.verify import archived_rows, table_digest, verify_archive
from govbus.project import Project
from govbus.store.engine import Store


def restore(project: Project, store: Store, holding_name: str, *, by: str, reason: str) -> RetirementOutcome:
    """Rebuild ``holding_name``'s table from its latest retirement's archive; returns that plan's outcome."""
    store.migrate()
    holding = load_catalogue(project).holding(holding_name)
    with store.begin() as connection:
        plan_id = connection.execute(select(retirement_plan.c.plan_id).where(
            retirement_plan.c.holding == holding.name, retirement_plan.c.status.in_(("approved", "retired")))
            .order_by(retirement_plan.c.created_at.desc())).scalar()
        done, manifest = step_of(connection, plan_id) if plan_id else (None, None)
    if done in (None, "archived"):
        raise RetirementRefused(f"holding {holding.name} has no verified archive to restore from; its table was never replaced")
    folder = archive_folder(project, plan_id, holding)
    verify_archive(folder, manifest)
    with holding.database(store).begin() as agency:
        if agency.dialect.name == "sqlite":
            agency.exec_driver_sql("BEGIN IMMEDIATE")
        quote = agency.dialect.identifier_preparer.quote
        drop_view(agency, holding)
        agency.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(retired_name(holding))}")
        _create_table(agency, manifest["layout"])
        _insert(agency, manifest["layout"], archived_rows(folder, manifest))
        count, digest = table_digest(ordered_rows(agency, manifest["layout"]))
        if (count, digest) != (manifest["rows"], manifest["content_sha256"]):
            raise FatalError(f"restored {holding.table} does not match its archive ({count} of {manifest['rows']} rows, "
                             f"content hash {digest}): rolled back, the view stays")
    with store.begin() as connection:
        record_step(connection, plan_id, "restored", manifest)
        connection.execute(update(retirement_plan).where(retirement_plan.c.plan_id == plan_id).values(status="restored"))
        audit.record(None, audit.Kind.retire, by, subject_ids=[holding.name], connection=connection,
                     details={"act": "restore", "plan_id": plan_id, "reason": reason, "rows": count, "content_sha256": digest})
    return RetirementOutcome(plan_id, holding.name, True, ["restored"], "restored", manifest)


def _create_table(agency: Connection, layout: dict) -> None:
    quote = agency.dialect.identifier_preparer.quote
    columns = [f"{quote(c['name'])} {c['type']}{'' if c['nullable'] else ' NOT NULL'}" for c in layout["columns"]]
    if layout["primary_key"]:
        columns.append(f"PRIMARY KEY ({', '.join(quote(k) for k in layout['primary_key'])})")
    agency.exec_driver_sql(f"CREATE TABLE {quote(layout['table'])} ({', '.join(columns)})")
    for index in layout["indexes"]:
        unique = "UNIQUE " if index["unique"] else ""
        agency.exec_driver_sql(f"CREATE {unique}INDEX {quote(index['name'])} ON {quote(layout['table'])} "
                               f"({', '.join(quote(c) for c in index['columns'])})")


def _insert(agency: Connection, layout: dict, batches) -> None:
    quote = agency.dialect.identifier_preparer.quote
    marker = "?" if agency.dialect.paramstyle == "qmark" else "%s"
    names = [c["name"] for c in layout["columns"]]
    sql = (f"INSERT INTO {quote(layout['table'])} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join(marker for _ in names)})")
    for batch in batches:
        agency.exec_driver_sql(sql, batch)
