"""One exception root for govbus, with families grouped by what the caller should do next.

- ``ConfigurationError``: fix the project, a file or a setting, then run again.
- ``ViolationError``: the data broke a schema or a contract; fix the data (or the agreement).
- ``RetriableError``: a transient fault (broker or database unreachable); try again later.
  Airflow tasks let these propagate so the task's ``retries`` apply.
- ``FatalError``: an invariant was broken; stop and call an operator.
"""

from __future__ import annotations


class GovbusError(Exception):
    """Root of every error govbus raises on purpose."""


class ConfigurationError(GovbusError):
    """The project folder, a declarative asset or a setting is wrong."""


class AccessRefused(ConfigurationError):
    """The broker refused a principal: its credentials, or an act no ACL from the contracts allows."""

    def __init__(self, message: str, *, principal: str | None, resource: str | None = None) -> None:
        super().__init__(message)
        self.principal = principal
        self.resource = resource


class ViolationError(GovbusError):
    """Data broke the rules it is bound by."""


class SchemaViolation(ViolationError):
    """A record does not match its Avro schema, or bytes cannot be decoded."""

    def __init__(self, message: str, *, field: str | None = None, reason: str = "schema") -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason


class CompatibilityError(ViolationError):
    """A schema version breaks the compatibility mode its subject promises."""


class ContractViolation(ViolationError):
    """A record broke a data contract's rule; names the field, the rule and the agreement clause.

    ``action`` is what the contract says to do: ``reject`` (dead-letter), ``quarantine`` (hold for
    a steward) or ``warn`` (deliver, but count it).
    """

    def __init__(
        self,
        message: str,
        *,
        contract: str,
        agreement: str,
        clause: str,
        rule: str,
        field: str | None = None,
        value: object = None,
        action: str = "reject",
    ) -> None:
        super().__init__(message)
        self.contract = contract
        self.agreement = agreement
        self.clause = clause
        self.rule = rule
        self.field = field
        self.value = value
        self.action = action
        self.reason = f"contract:{rule}"


class RetriableError(GovbusError):
    """A transient failure: the same call may succeed later."""


class FatalError(GovbusError):
    """Something that must not happen happened; stop and investigate."""
