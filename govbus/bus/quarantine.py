"""Quarantine: schema-valid events that broke a contract rule are held in ``<topic>.quarantine``.

Unlike dead letters they are well-formed, so a steward can release them to the topic unchanged
or reject them for good; the headers say which agreement clause they broke and why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field

from govbus.bus.headers import KafkaHeaders, headers_dict, now_iso
from govbus.errors import ContractViolation

PREFIX = "quarantine."
SUFFIX = ".quarantine"


def quarantine_topic(topic: str) -> str:
    return topic + SUFFIX


@dataclass(frozen=True)
class QuarantineNote:
    contract: str
    agreement: str
    clause: str
    rule: str
    error: str
    stage: str
    source_topic: str
    field: str | None = None
    value: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    quarantined_at: str = dataclass_field(default_factory=now_iso)

    @classmethod
    def of(cls, exc: ContractViolation, *, stage: str, source_topic: str, **where: int | None) -> "QuarantineNote":
        value = None if exc.value is None else str(exc.value)[:500]
        return cls(
            contract=exc.contract,
            agreement=exc.agreement,
            clause=exc.clause,
            rule=exc.rule,
            error=str(exc),
            stage=stage,
            source_topic=source_topic,
            field=exc.field,
            value=value,
            **where,
        )

    def to_kafka(self, original: KafkaHeaders | None = None) -> KafkaHeaders:
        kept = [(k, v) for k, v in original or [] if not k.startswith(PREFIX)]
        return kept + [(PREFIX + k, str(v).encode()) for k, v in asdict(self).items() if v is not None]

    @classmethod
    def from_kafka(cls, headers: KafkaHeaders | None) -> "QuarantineNote":
        values = {k.removeprefix(PREFIX): v for k, v in headers_dict(headers).items() if k.startswith(PREFIX)}
        ints = {"source_partition", "source_offset"}
        fields = {n: (int(values[n]) if n in ints else values[n]) for n in cls.__dataclass_fields__ if n in values}
        for required in ("contract", "agreement", "clause", "rule", "error", "stage", "source_topic"):
            fields.setdefault(required, "")
        return cls(**fields)
