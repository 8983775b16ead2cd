"""The agreement report as one static HTML page: no scripts, so it opens anywhere, even offline.

History is folded into ``<details>`` and capped per clause, so the page stays small however many
validations have run.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from govbus.contracts.availability import MeasuredAvailability
from govbus.contracts.results import Status
from govbus.reports.agreements import HISTORY_ROWS, AgreementView, ClauseView
from govbus.reports.sparkline import sparkline
from govbus.reports.style import STYLE

NOT_CHECKED = '<span class="badge none">not checked</span>'


def _badge(status: Status | None) -> str:
    return NOT_CHECKED if status is None else f'<span class="badge {status.value}">{status.value}</span>'


def _docs(link: str | None, text: str = "Data Docs") -> str:
    return f'<a href="{escape(link)}">{text}</a>' if link else ""


def _samples(values) -> str:
    return " ".join(f"<code>{escape(v)}</code>" for v in values[:5])


def render(views: list[AgreementView], generated_at: datetime, project_name: str) -> str:
    total = sum(v.total_runs for v in views)
    failing = [v.ref for v in views if v.status in (Status.failed, Status.error)]
    summary = (
        f"{len(views)} agreements · {total:,} validations in all · "
        + (f'<strong class="failed-text">{len(failing)} with failing clauses</strong>' if failing else "all clauses checked pass")
        + ' · <a href="data_docs/index.html">Great Expectations Data Docs</a>'
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data sharing agreements: {escape(project_name)}</title><style>{STYLE}</style></head>
<body><header><h1>Data sharing agreements</h1>
<p class="meta">{escape(project_name)} · generated {generated_at:%Y-%m-%d %H:%M %Z} · {summary}</p></header>
<main>{_overview(views)}{"".join(_agreement(v) for v in views)}</main></body></html>
"""


def _overview(views: list[AgreementView]) -> str:
    rows = []
    for view in views:
        agreement = view.contract.agreement
        levels = [view.service_level(name) for name in ("freshness", "completeness")]
        last = f"{view.latest_run.started_at:%Y-%m-%d %H:%M}" if view.latest_run else "never"
        rows.append(
            f'<tr><td><a href="#{escape(view.ref)}">{escape(view.ref)}</a></td><td>{escape(agreement.title)}</td>'
            f"<td>{escape(view.contract.provider)} → {escape(', '.join(view.contract.consumers))}</td>"
            f"<td>{_badge(view.status)}</td>"
            + "".join(f"<td>{_badge(level.status) if level else '—'}</td>" for level in levels)
            + f"<td>{_badge(_availability_status(view.availability)) if view.availability else '—'}</td>"
            + f"<td>{last}</td><td>{view.total_runs:,}</td></tr>"
        )
    return (
        '<section class="overview"><h2>Overview</h2><table><thead><tr><th>Agreement</th><th>Title</th>'
        "<th>Provider → consumers</th><th>Status</th><th>Freshness</th><th>Completeness</th><th>Availability</th><th>Last validated</th>"
        f'<th>Validations</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _agreement(view: AgreementView) -> str:
    contract = view.contract
    agreement = contract.agreement
    costs = agreement.costs
    price = "none" if costs.amount == 0 else f"{costs.amount:g} {costs.currency} per {costs.unit or 'delivery'}"
    facts = [
        ("Purpose", agreement.purpose),
        ("Legal basis", agreement.legal_basis),
        ("Outputs", "; ".join(agreement.outputs)),
        ("Costs", price + (f" ({costs.note})" if costs.note else "")),
        ("Disputes", f"{agreement.disputes.body} ({agreement.disputes.contact}), within {agreement.disputes.escalate_within_working_days} working days"),
        ("In force", f"{agreement.effective} to review on {agreement.review}"),
        ("Transparency", "published" if agreement.published_for_transparency else "not published"),
        ("Contract", f"{contract.id} v{contract.version} ({contract.status.value}), topic {contract.dataset.topic}"),
    ]
    latest = view.latest_run
    last = f"latest batch: {escape(latest.batch)}, {latest.row_count or 0:,} rows, {latest.started_at:%Y-%m-%d %H:%M} {_docs(latest.data_docs)}" if latest else "not validated yet"
    return (
        f'<section class="agreement" id="{escape(view.ref)}"><h2>{escape(view.ref)}: {escape(agreement.title)} {_badge(view.status)}</h2>'
        f'<p class="meta">{last}</p><dl>{"".join(f"<dt>{k}</dt><dd>{escape(v)}</dd>" for k, v in facts)}</dl>'
        f"{_levels(view)}"
        '<table class="clauses"><thead><tr><th>Clause</th><th>Requirement</th><th>Status</th><th>Failing</th>'
        f'<th>Sample values</th><th>Trend</th><th>Details</th></tr></thead>{"".join(_clause(c) for c in view.clauses)}</table></section>'
    )


def _levels(view: AgreementView) -> str:
    items = []
    for name in ("freshness", "completeness", "availability"):
        clause = view.service_level(name)
        if clause is None:
            continue
        state = _availability(view.availability) if name == "availability" else _badge(clause.status)
        items.append(f"<li><strong>{name.capitalize()}</strong> {escape(clause.target or '')} (clause {escape(clause.clause)}) {state}</li>")
    return f'<ul class="levels">{"".join(items)}</ul>' if items else ""


def _availability_status(measured: MeasuredAvailability | None) -> Status | None:
    if measured is None or measured.met is None:
        return None
    return Status.passed if measured.met else Status.failed


def _availability(measured: MeasuredAvailability | None) -> str:
    """The measured share and the windows it rests on, beside its badge."""
    if measured is None or measured.share is None:
        return '<span class="badge none">not measured yet</span>'
    return f"measured {measured.share:.1%} of {measured.windows:,} hourly windows {_badge(_availability_status(measured))}"


def _clause(view: ClauseView) -> str:
    latest = view.latest
    rules = ""
    if latest:
        rules = "<ul class=rules>" + "".join(
            f"<li class={r.status.value}>{escape(r.field or 'batch')}: {escape(r.detail)}"
            + (f" — {r.failing_count:,} failing" if r.failing_count else "")
            + (f" — observed {escape(r.observed)}" if r.observed and r.status is not Status.passed else "")
            + (f" — {escape(r.message)}" if r.message else "")
            + "</li>"
            for r in latest.rules
        ) + "</ul>"
    failing = f"{latest.failing_count:,}" if latest and latest.failing_count else ("0" if latest else "")
    docs = _docs(view.history[0].data_docs) if view.history else ""
    body = (
        f'<tbody class="clause {view.status.value if view.status else "none"}"><tr><td>{escape(view.clause)}</td>'
        f"<td>{escape(view.text)}{rules}</td><td>{_badge(view.status)}</td><td>{failing}</td>"
        f"<td>{_samples(latest.sample_values) if latest else ''}</td><td>{sparkline(view.history)}</td><td>{docs}</td></tr>"
    )
    if len(view.history) > 1:
        body += f'<tr class="history"><td></td><td colspan="6">{_history(view)}</td></tr>'
    return body + "</tbody>"


def _history(view: ClauseView) -> str:
    shown = view.history[:HISTORY_ROWS]
    rows = "".join(
        f"<tr><td>{p.started_at:%Y-%m-%d %H:%M}</td><td>{escape(p.batch)}</td><td>{_badge(p.status)}</td>"
        f"<td>{p.failing_count:,}</td><td>{_samples(p.sample_values)}</td><td>{_docs(p.data_docs)}</td></tr>"
        for p in shown
    )
    return (
        f"<details><summary>History: latest {len(shown)} of {len(view.history)} recent runs</summary>"
        f"<table><thead><tr><th>When</th><th>Batch</th><th>Status</th><th>Failing</th><th>Samples</th><th>Data Docs</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></details>"
    )
