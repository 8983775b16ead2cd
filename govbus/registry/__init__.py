"""The shared customer registry: golden person records with stable govbus ids.

- ``run``: reconciliation runs (``run_incremental``, ``run_full``) over the landed agency records;
- ``ids``: which person each cluster of records is, across runs (merges keep the oldest id);
- ``survivorship`` and ``golden``: the golden record, with every agency's value kept as provenance;
- ``review``: the steward's queue of uncertain pairs; ``constraints``: rejected pairs stay apart;
- ``events``: merges, splits and reconciled people published on the bus.
"""

from govbus.errors import GovbusError

# Reconcile first: it re-exports run_incremental, so it must not find this package's run half-loaded.
import govbus.reconcile  # noqa: E402,F401


class RegistryError(GovbusError):
    """A person or review pair that does not exist, or a decision that cannot be made."""
