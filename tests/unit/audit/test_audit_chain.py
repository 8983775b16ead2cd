"""The hash chain on an embedded store: every kind of tampering is named, an intact chain passes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text

from govbus.audit import entries, entries_about, record, verify_chain
from govbus.errors import ConfigurationError
from govbus.store import Store

KEY = b"audit-signing-key-for-tests"


@pytest.fixture
def store(tmp_path) -> Store:
    fresh = Store(f"sqlite:///{tmp_path / 'audit.db'}")
    fresh.migrate()
    for number in range(1, 6):
        record(fresh, "consume", "tax", [f"19800101-000{number}", "19800101-0000"], "AGR-2026-014", {"batch": number}, key=KEY)
    yield fresh
    fresh.engine.dispose()


def tamper(store: Store, *statements: str) -> None:
    """What someone with write access to the database file could do: drop the guards, then edit."""
    with store.begin() as connection:
        for guard in ("audit_entry_no_update", "audit_entry_no_delete", "audit_subject_no_update", "audit_subject_no_delete"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {guard}"))
        for statement in statements:
            connection.execute(text(statement))


def problems(store: Store, **options) -> set[tuple[int, str]]:
    return {(p.seq, p.problem) for p in verify_chain(store, **options).problems}


def test_an_untouched_chain_verifies_with_its_signatures(store):
    report = verify_chain(store, key=KEY)
    assert report.intact and (report.checked, report.signed, report.head_seq) == (5, 5, 5)


def test_the_log_refuses_updates_and_deletes(store):
    with pytest.raises(Exception, match="append-only"):
        with store.begin() as connection:
            connection.execute(text("UPDATE audit_entry SET actor = 'social' WHERE seq = 2"))
    with pytest.raises(Exception, match="append-only"):
        with store.begin() as connection:
            connection.execute(text("DELETE FROM audit_entry WHERE seq = 5"))


def test_a_modified_entry_is_named(store):
    tamper(store, "UPDATE audit_entry SET actor = 'social' WHERE seq = 3")
    assert problems(store) == {(3, "modified")}


def test_a_modified_entry_with_a_recomputed_hash_breaks_the_next_link_and_its_signature(store):
    third = next(e for e in entries(store) if e.seq == 3)
    rewritten = replace(third, actor="social")
    tamper(store, f"UPDATE audit_entry SET actor = 'social', entry_hash = '{rewritten.computed_hash()}' WHERE seq = 3")
    assert problems(store) == {(4, "relinked")}
    assert problems(store, key=KEY) == {(3, "forged"), (4, "relinked")}


def test_a_deleted_entry_is_named(store):
    tamper(store, "DELETE FROM audit_subject WHERE seq = 2", "DELETE FROM audit_entry WHERE seq = 2")
    assert problems(store) == {(3, "missing")}


def test_entries_cut_off_the_end_are_noticed_through_the_head(store):
    tamper(store, "DELETE FROM audit_subject WHERE seq = 5", "DELETE FROM audit_entry WHERE seq = 5")
    assert problems(store) == {(5, "truncated")}


def test_swapped_entries_are_noticed(store):
    # Entries 2 and 3 trade places: everything but their numbers (and hashes, which must stay unique).
    swapped = "recorded_at, kind, actor, agreement_ref, details, subject_count, subjects_digest, previous_hash, signature"
    tamper(
        store,
        "CREATE TEMP TABLE before_swap AS SELECT * FROM audit_entry WHERE seq IN (2, 3)",
        *(
            f"UPDATE audit_entry SET {column} = (SELECT {column} FROM before_swap WHERE before_swap.seq = 5 - audit_entry.seq) WHERE seq IN (2, 3)"
            for column in swapped.split(", ")
        ),
    )
    assert problems(store) >= {(2, "relinked"), (2, "modified"), (3, "relinked"), (3, "modified")}


def test_a_person_removed_from_an_entry_is_noticed(store):
    tamper(store, "DELETE FROM audit_subject WHERE seq = 4 AND subject_id = '19800101-0004'")
    assert problems(store) == {(4, "subjects")}
    assert [e.seq for e in entries_about(store, "19800101-0004")] == []


def test_a_chain_rebuilt_without_the_key_fails_the_signature_check(store):
    record(store, "retire", "tax", ["19800101-0001"], None, {"holding": "address copy"}, key=b"someone else's key")
    assert problems(store, key=KEY) == {(6, "forged")}


def test_a_head_anchored_elsewhere_catches_a_rewritten_head(store):
    anchored = verify_chain(store).head_hash
    tamper(store, "DELETE FROM audit_subject WHERE seq = 5", "DELETE FROM audit_entry WHERE seq = 5")
    with store.begin() as connection:
        previous = connection.execute(text("SELECT entry_hash FROM audit_entry WHERE seq = 4")).scalar_one()
        connection.execute(text("UPDATE audit_head SET seq = 4, entry_hash = :h"), {"h": previous})
    assert problems(store) == set()
    assert problems(store, expect_head=anchored) == {(4, "anchor")}


def test_a_citizen_sees_every_use_of_their_data_in_order(store):
    uses = entries_about(store, "19800101-0000")
    assert [(e.seq, e.actor, e.agreement_ref) for e in uses] == [(n, "tax", "AGR-2026-014") for n in range(1, 6)]


def test_an_unknown_kind_is_refused_with_the_known_ones(store):
    with pytest.raises(ConfigurationError, match="publish, consume, merge, split, quarantine, retire"):
        record(store, "peek", "tax")
