"""Retiring redundant data holdings: measure, plan, approve, archive, verify, retire, restore.

The agencies' own copies of citizen data are catalogued in ``contracts/holdings/catalogue.yaml``.
The stable entry points, each taking the project and the govbus store:

- ``scan_all(project, store, *, holdings=None, progress=None) -> ScanResult``: measure coverage,
  agreement, staleness and last access of each holding against the golden records; every
  measurement is stored with its time.
- ``plan_all(project, store) -> PlanResult``: a retirement plan per measured holding (candidate,
  not a candidate, or blocked by a legal hold), with what is archived, the replacement view and
  the risks with samples.
- ``approve(project, store, plan_id, *, by, reason) -> RetirementPlan``: a steward's recorded
  approval; raises ``RetirementRefused`` for a plan that is blocked or not a candidate.
- ``retire(project, store, plan_id, *, execute=False, publisher=None) -> RetirementOutcome``: one
  plan, a dry run unless ``execute``; raises ``RetirementRefused`` without approval or under hold.
- ``execute_approved(project, store, *, publisher=None) -> ExecutionResult``: retire every
  approved plan, resuming any that stopped part-way; others are listed as waiting or blocked.
- ``restore(project, store, holding, *, by, reason) -> RetirementOutcome``: rebuild the table
  from its archive, with the same content hash, and remove the view.

Every result has ``.to_dict()``.
"""

from govbus.holdings.approval import RetirementRefused, approve
from govbus.holdings.catalogue import Catalogue, Holding, load_catalogue
from govbus.holdings.plan import plan_all
from govbus.holdings.restore import restore
from govbus.holdings.results import ExecutionResult, HoldingReport, PlanResult, RetirementOutcome, RetirementPlan, ScanResult
from govbus.holdings.retire import execute_approved, retire
from govbus.holdings.scan import scan_all

__all__ = [
    "Catalogue", "ExecutionResult", "Holding", "HoldingReport", "PlanResult", "RetirementOutcome", "RetirementPlan",
    "RetirementRefused", "ScanResult", "approve", "execute_approved", "load_catalogue", "plan_all", "restore",
    "retire", "scan_all",
]
