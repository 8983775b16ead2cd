"""Disputes in the store: open one with its evidence, list them, show one, resolve it.

Opening and resolving are both recorded in the audit log, under the dispute's agreement.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import insert, select, update

from govbus.audit.chain import canonical_json
from govbus.audit.log import Kind, record
from govbus.disputes.breaches import BreachTally
from govbus.disputes.clock import add_working_days, working_days_between
from govbus.disputes.evidence import digest, evidence_bundle
from govbus.disputes.tables import dispute as dispute_table
from govbus.errors import ConfigurationError
from govbus.store import Store

OPEN, RESOLVED = "open", "resolved"
_CODE = re.compile(r"^(?:DSP-)?(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Dispute:
    number: int
    agreement_ref: str
    contract_id: str
    counterparty: str
    raised_for: list[str]
    body: str
    contact: str
    clause: str
    breached_clauses: list[str]
    status: str
    opened_at: datetime
    due_at: datetime
    working_days: int
    breach_share: float
    tolerance: float
    evidence: dict[str, Any]
    evidence_digest: str
    audit_seq: int | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None

    @property
    def code(self) -> str:
        return f"DSP-{self.number:04d}"

    def working_days_left(self, today: date | None = None) -> int:
        """Working days until the agreement's deadline; negative once it has passed."""
        return working_days_between(today or datetime.now(timezone.utc).date(), self.due_at.date())

    @property
    def evidence_intact(self) -> bool:
        return digest(self.evidence) == self.evidence_digest

    def to_dict(self, *, with_evidence: bool = False) -> dict[str, Any]:
        body = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(self).items()}
        body.update(code=self.code, working_days_left=self.working_days_left() if self.status == OPEN else None)
        body["evidence_intact"] = self.evidence_intact
        if not with_evidence:
            del body["evidence"]
        return body


def open_dispute(store: Store, tally: BreachTally, *, now: datetime | None = None) -> Dispute:
    """Open a dispute against the contract's provider, with its evidence and clock, and audit it."""
    contract, terms = tally.contract, tally.contract.agreement.disputes
    opened_at = now or datetime.now(timezone.utc)
    evidence = json.loads(canonical_json(evidence_bundle(store, tally)))
    row = {
        "agreement_ref": contract.agreement.ref,
        "contract_id": contract.id,
        "counterparty": contract.provider,
        "raised_for": sorted(contract.consumers),
        "body": terms.body,
        "contact": terms.contact,
        "clause": terms.clause,
        "breached_clauses": tally.breached_clauses,
        "status": OPEN,
        "opened_at": opened_at,
        "due_at": add_working_days(opened_at, terms.escalate_within_working_days),
        "working_days": terms.escalate_within_working_days,
        "breach_share": round(tally.share, 6),
        "tolerance": tally.tolerance,
        "evidence": evidence,
        "evidence_digest": digest(evidence),
    }
    with store.begin() as connection:
        number = connection.execute(insert(dispute_table).values(**row)).inserted_primary_key[0]
        details = {"dispute": f"DSP-{number:04d}", "action": "opened", "evidence_digest": row["evidence_digest"], "due_at": row["due_at"].isoformat()}
        entry = record(None, Kind.dispute, "govbus", [], contract.agreement.ref, details, connection=connection)
        connection.execute(update(dispute_table).where(dispute_table.c.number == number).values(audit_seq=entry.seq))
    return find(store, number)


def resolve(store: Store, code: str | int, resolution: str, resolved_by: str) -> Dispute:
    """Close an open dispute with the body's resolution; resolving twice is refused."""
    current = find(store, code)
    if current.status != OPEN:
        raise ConfigurationError(f"{current.code} is already {current.status} ({current.resolved_at:%Y-%m-%d} by {current.resolved_by})")
    with store.begin() as connection:
        resolved_at = datetime.now(timezone.utc)
        connection.execute(
            update(dispute_table)
            .where(dispute_table.c.number == current.number)
            .values(status=RESOLVED, resolved_at=resolved_at, resolved_by=resolved_by, resolution=resolution)
        )
        details = {"dispute": current.code, "action": "resolved", "resolution": resolution}
        record(None, Kind.dispute, resolved_by, [], current.agreement_ref, details, connection=connection)
    return find(store, current.number)


def disputes(store: Store, *, status: str | None = None, agreement: str | None = None) -> list[Dispute]:
    query = select(dispute_table).order_by(dispute_table.c.number)
    if status:
        query = query.where(dispute_table.c.status == status)
    if agreement:
        query = query.where(dispute_table.c.agreement_ref == agreement)
    with store.begin() as connection:
        return [_dispute(row) for row in connection.execute(query).mappings()]


def find(store: Store, code: str | int) -> Dispute:
    match = _CODE.match(str(code).strip())
    if not match:
        raise ConfigurationError(f"{code!r} is not a dispute number: use DSP-0001 or 1")
    with store.begin() as connection:
        row = connection.execute(select(dispute_table).where(dispute_table.c.number == int(match.group(1)))).mappings().one_or_none()
    if row is None:
        raise ConfigurationError(f"no dispute DSP-{int(match.group(1)):04d} (see `govbus disputes list --all`)")
    return _dispute(row)


def _dispute(row) -> Dispute:
    values = dict(row)
    for name in ("opened_at", "due_at", "resolved_at"):
        if values[name] is not None and values[name].tzinfo is None:
            values[name] = values[name].replace(tzinfo=timezone.utc)
    return Dispute(**values)
