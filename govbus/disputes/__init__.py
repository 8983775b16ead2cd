"""Disputes: when a contract's breaches pass its agreement's tolerance, govbus opens a dispute
against the provider, with an evidence bundle and the agreement's service-level clock."""

from govbus.disputes.check import DisputeCheck, check_disputes
from govbus.disputes.records import Dispute, disputes, find, open_dispute, resolve

__all__ = ["Dispute", "DisputeCheck", "check_disputes", "disputes", "find", "open_dispute", "resolve"]
