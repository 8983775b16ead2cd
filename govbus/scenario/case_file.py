"""One migration case as the chain's members published it, and the person it is about.

The steps are read from the landed tables of the chain's subjects, in the order the case walked
them; the agency is the one that published each step (the event's envelope). The applicant is
linked into the golden registry through the embassy's application, the record reconciliation
links (source ``migration``, keyed by application number).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import MetaData, Table, inspect, select

from govbus.errors import ConfigurationError
from govbus.land import landed_table_name
from govbus.project import Project
from govbus.registry.golden import person_detail
from govbus.registry.records import PERSON_SUBJECTS
from govbus.registry.tables import person_xref
from govbus.store import Store
from govbus.synthetic.cases import APPLICATION, CHAIN

# Per step: the field holding when it happened and the one saying how it went.
STEP_FIELDS = {
    "embassy.visa.application_received": ("received_at", "visa_kind"),
    "migration.visa.decided": ("decided_at", "decision"),
    "appeals.appeal.lodged": ("lodged_at", "appeal_id"),
    "appeals.appeal.decided": ("decided_at", "outcome"),
    "border.entry.recorded": ("entered_at", "border_post"),
}
STEP_NAMES = {
    "embassy.visa.application_received": "application received",
    "migration.visa.decided": "visa decided",
    "appeals.appeal.lodged": "appeal lodged",
    "appeals.appeal.decided": "appeal decided",
    "border.entry.recorded": "entry recorded",
}


@dataclass
class CaseStep:
    step: str
    subject: str
    agency: str
    at: str
    outcome: str
    published_at: str


@dataclass
class CaseFile:
    case_id: str
    steps: list[CaseStep]
    applicant: dict
    golden: dict | None

    @property
    def complete(self) -> bool:
        """The case walked the whole chain: application, decision, appeal, ruling and entry."""
        return {step.subject for step in self.steps} == set(CHAIN)

    def to_dict(self) -> dict:
        return {**asdict(self), "complete": self.complete}


def case_file(project: Project, store: Store, case_id: str) -> CaseFile:
    """The case's steps in order, the applicant as the passport names them, and their golden record."""
    steps, applicant = [], {}
    with store.begin() as connection:
        present = set(inspect(connection).get_table_names())
        for subject in CHAIN:
            name = landed_table_name(project.topic_for_subject(subject).name)
            if name not in present:
                continue
            table = Table(name, MetaData(), autoload_with=connection)
            for row in connection.execute(select(table).where(table.c.case_id == case_id)).mappings():
                at, outcome = STEP_FIELDS[subject]
                steps.append(CaseStep(STEP_NAMES[subject], subject, row["_agency"], row[at], str(row[outcome]), _iso(row["_occurred_at"])))
                if subject == APPLICATION:
                    applicant = {k: row[k] for k in ("application_id", "passport_number", "given_name", "family_name", "date_of_birth", "nationality")}
        if not steps:
            raise ConfigurationError(f"no case {case_id!r} has landed: check the id (e.g. MC000000001) or `govbus land`")
        golden = _golden(connection, applicant, present)
    return CaseFile(case_id, sorted(steps, key=lambda s: (s.at, CHAIN.index(s.subject))), applicant, golden)


def _golden(connection, applicant: dict, present: set[str]) -> dict | None:
    if not applicant or person_xref.name not in present:
        return None
    source = PERSON_SUBJECTS[APPLICATION]
    query = select(person_xref.c.person_id).where(person_xref.c.source == source, person_xref.c.record_id == applicant["application_id"])
    pid = connection.execute(query).scalar()
    detail = person_detail(connection, pid) if pid else None
    return detail and {key: detail[key] for key in ("person_id", "golden", "records")}


def _iso(moment) -> str:
    return moment.isoformat() if hasattr(moment, "isoformat") else str(moment)
