"""Appending to the audit log and reading it back.

Other areas call ``record`` at each act worth answering for: a publish batch, a consumption by
another agency, a reconciliation merge or split, a quarantine decision, a retirement. Pass the
caller's ``connection`` to record inside its own transaction, so the act and its entry commit
together or not at all.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Iterable

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Connection, insert, inspect, select, update

from govbus.audit.chain import Entry, canonical_json, sign, stored_subject_ids, subjects_digest
from govbus.audit.tables import audit_entry, audit_head, audit_subject
from govbus.errors import ConfigurationError
from govbus.project import Project
from govbus.store import Store
from govbus.store.bulk import insert_columns

HEAD_ROW = 1


class Kind(str, Enum):
    publish = "publish"
    consume = "consume"
    merge = "merge"
    split = "split"
    quarantine = "quarantine"
    retire = "retire"
    dispute = "dispute"
    access = "access"
    credential = "credential"


class AuditSettings(BaseSettings):
    """``GOVBUS_AUDIT_SIGNING_KEY``: when set, every entry is signed with it (HMAC-SHA256)."""

    model_config = SettingsConfigDict(env_prefix="GOVBUS_AUDIT_", extra="ignore")

    signing_key: SecretStr | None = None

    def key(self) -> bytes | None:
        return self.signing_key.get_secret_value().encode() if self.signing_key else None


def record(
    store: Store | None,
    kind: Kind | str,
    actor: str,
    subject_ids: Iterable[object] = (),
    agreement: str | None = None,
    details: dict[str, Any] | None = None,
    *,
    connection: Connection | None = None,
    key: bytes | None = None,
) -> Entry:
    """Append one entry; ``connection`` records it inside the caller's transaction instead.

    ``govbus.audit.record(store, "merge", "reconciler", subject_ids=[a, b], details={...})``
    """
    kind = _kind(kind)
    if connection is not None:
        return _append(connection, kind, actor, subject_ids, agreement, details or {}, key)
    with store.begin() as own:
        return _append(own, kind, actor, subject_ids, agreement, details or {}, key)


def record_for_project(project: Project, kind: Kind | str, actor: str, details: dict[str, Any], **options: Any) -> Entry:
    """``record`` into the project's store, migrating it first if the audit tables are not there yet."""
    store = Store.for_project(project)
    with store.begin() as connection:
        migrated = inspect(connection).has_table(audit_head.name)
    if not migrated:
        store.migrate()
    return record(store, kind, actor, details=details, **options)


def _append(connection, kind, actor, ids, agreement, details, key) -> Entry:
    # Updating the head first takes its row lock (PostgreSQL) or the write lock (SQLite) before
    # anything is read, so two writers can never both build on the same previous entry.
    connection.execute(update(audit_head).where(audit_head.c.id == HEAD_ROW).values(seq=audit_head.c.seq))
    head_seq, head_hash = connection.execute(select(audit_head.c.seq, audit_head.c.entry_hash).where(audit_head.c.id == HEAD_ROW)).one()
    subjects = stored_subject_ids(ids)
    entry = Entry(
        seq=head_seq + 1,
        recorded_at=datetime.now(timezone.utc).isoformat(timespec="microseconds"),
        kind=kind.value,
        actor=actor,
        agreement_ref=agreement,
        details=canonical_json(details),
        subject_count=len(subjects),
        subjects_digest=subjects_digest(subjects),
        previous_hash=head_hash,
    )
    entry_hash = entry.computed_hash()
    key = key if key is not None else AuditSettings().key()
    entry = replace(entry, entry_hash=entry_hash, signature=sign(entry_hash, key) if key else None)
    connection.execute(insert(audit_entry).values(**asdict(entry)))
    if subjects:
        # A publish batch concerns thousands of people: one bulk write, not SQLAlchemy's per-row handling.
        insert_columns(connection, audit_subject, {"subject_id": subjects, "seq": [entry.seq] * len(subjects)})
    connection.execute(update(audit_head).where(audit_head.c.id == HEAD_ROW).values(seq=entry.seq, entry_hash=entry_hash))
    return entry


def entries(store: Store, *, after: int = 0, limit: int | None = None, kind: str | None = None) -> list[Entry]:
    """Entries in chain order, from ``after`` (a seq) on."""
    query = select(audit_entry).where(audit_entry.c.seq > after).order_by(audit_entry.c.seq)
    if kind:
        query = query.where(audit_entry.c.kind == _kind(kind).value)
    if limit:
        query = query.limit(limit)
    with store.begin() as connection:
        return [Entry(**row) for row in connection.execute(query).mappings()]


def entries_about(store: Store, subject_id: str) -> list[Entry]:
    """Every entry concerning ``subject_id``, oldest first: whose data was used, by whom, when."""
    wanted = stored_subject_ids([subject_id])
    query = (
        select(audit_entry)
        .join(audit_subject, audit_subject.c.seq == audit_entry.c.seq)
        .where(audit_subject.c.subject_id.in_(wanted))
        .order_by(audit_entry.c.seq)
    )
    with store.begin() as connection:
        return [Entry(**row) for row in connection.execute(query).mappings()]


def entries_under(store: Store, agreement: str, limit: int = 50) -> list[Entry]:
    """The newest ``limit`` entries recorded under ``agreement``, oldest first."""
    query = select(audit_entry).where(audit_entry.c.agreement_ref == agreement).order_by(audit_entry.c.seq.desc()).limit(limit)
    with store.begin() as connection:
        return [Entry(**row) for row in reversed(connection.execute(query).mappings().all())]


def _kind(kind: Kind | str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise ConfigurationError(f"unknown audit kind {kind!r} (known: {', '.join(k.value for k in Kind)})") from None
