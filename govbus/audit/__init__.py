"""The audit log: an append-only, hash-chained record of who used whose data, under which agreement.

Other areas record their acts with one call::

    from govbus import audit
    audit.record(store, "merge", "reconciler", subject_ids=[kept, merged], details={"golden_id": g})

``verify_chain`` detects any modified, removed or reordered entry; ``entries_about`` answers a
citizen's question: which agency used my data, under which agreement, and when.
"""

from govbus.audit.chain import Entry
from govbus.audit.log import AuditSettings, Kind, entries, entries_about, entries_under, record
from govbus.audit.verify import ChainProblem, ChainReport, verify_chain

__all__ = [
    "AuditSettings",
    "ChainProblem",
    "ChainReport",
    "Entry",
    "Kind",
    "entries",
    "entries_about",
    "entries_under",
    "record",
    "verify_chain",
]
