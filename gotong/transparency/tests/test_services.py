"""Appending to the log: format, pseudonyms, no personal data, atomicity, append-only."""

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from gotong.accounts.models import Role, User
from gotong.territory.models import Kelurahan
from gotong.territory.services import rw_create
from gotong.transparency import merkle
from gotong.transparency.canonical import canonical_bytes, tree_head_signature_valid
from gotong.transparency.log_schema import ENTRY_TYPES, entry_data_clean
from gotong.transparency.models import Evidence, LogEntry, SignedTreeHead, TreeNode
from gotong.transparency.selectors import log_size, log_verify
from gotong.transparency.services import (
    PersonalDataInLog,
    actor_pseudonym,
    entries_append,
    entry_record,
    tree_head_publish,
)

pytestmark = pytest.mark.django_db


def test_an_entry_has_the_contract_shape_and_a_leaf_hash(
    kelurahan: Kelurahan, make_member: Callable[..., Any]
) -> None:
    head = make_member(Role.KETUA_RW, rw_create(kelurahan=kelurahan, number=5))
    record = entry_record(
        kelurahan=kelurahan, type="t", actor=head, subject="need:7", data={"n": 1}
    )
    entry = json.loads(record.body)
    assert set(entry) == {"type", "at", "actor", "subject", "data"}
    assert entry["actor"] == f"ketua_rw:{actor_pseudonym(head.pk)}"
    assert entry["at"].endswith("Z") and entry["subject"] == "need:7"
    assert record.body.encode() == canonical_bytes(entry)
    assert bytes(record.leaf_hash) == merkle.leaf_hash(record.body.encode())


def test_pseudonyms_are_stable_and_reveal_nothing(db: Any) -> None:
    assert actor_pseudonym(42) == actor_pseudonym(42) != actor_pseudonym(43)
    assert "42" not in actor_pseudonym(42)


def test_indexes_are_contiguous_across_appends(kelurahan: Kelurahan) -> None:
    start = log_size(kelurahan=kelurahan)
    entries_append(
        kelurahan=kelurahan,
        entries=[
            {"type": "t", "at": "x", "actor": "system", "subject": f"s:{i}", "data": {}}
            for i in range(5)
        ],
    )
    for i in range(3):
        entry_record(kelurahan=kelurahan, type="t", actor=None, subject=f"s:{i}")
    indexes = list(LogEntry.objects.filter(kelurahan=kelurahan).values_list("index", flat=True))
    assert indexes == list(range(start + 8))
    assert log_verify(kelurahan=kelurahan).ok


def test_each_kelurahan_has_its_own_log(kelurahan: Kelurahan, other_kelurahan: Kelurahan) -> None:
    entry_record(kelurahan=kelurahan, type="t", actor=None, subject="s:1")
    first = entry_record(kelurahan=other_kelurahan, type="t", actor=None, subject="s:1")
    assert first.index == 0


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Budi"},
        {"nested": {"phone": "x"}},
        {"n": "1"},
        {"n": True},
        {"unknown": 1},
        {"id": "3577014101900001"},
        {"list": [{"NIK": "x"}]},
        {"wa": "+6281234567890"},
    ],
)
def test_personal_data_is_refused_and_nothing_is_appended(
    kelurahan: Kelurahan, data: dict[str, Any]
) -> None:
    before = log_size(kelurahan=kelurahan)
    with pytest.raises(PersonalDataInLog):
        entry_record(kelurahan=kelurahan, type="t", actor=None, subject="s:1", data=data)
    assert log_size(kelurahan=kelurahan) == before


def test_a_rolled_back_change_leaves_no_entry(kelurahan: Kelurahan) -> None:
    before = log_size(kelurahan=kelurahan)
    with pytest.raises(RuntimeError), transaction.atomic():
        rw_create(kelurahan=kelurahan, number=9)
        raise RuntimeError("the rest of the use-case failed")
    assert log_size(kelurahan=kelurahan) == before
    assert LogEntry.objects.filter(kelurahan=kelurahan).count() == before


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE transparency_logentry SET body = '{}'",
        "DELETE FROM transparency_logentry",
        "UPDATE transparency_treenode SET level = 9",
        "DELETE FROM transparency_treenode",
        "DELETE FROM transparency_signedtreehead",
        "UPDATE transparency_signedtreehead SET tree_size = 0",
    ],
)
def test_the_database_refuses_raw_edits_of_the_log(kelurahan: Kelurahan, sql: str) -> None:
    entry_record(kelurahan=kelurahan, type="t", actor=None, subject="s:1")
    tree_head_publish(kelurahan=kelurahan)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)
    assert LogEntry.objects.filter(kelurahan=kelurahan).exists()


def test_a_signed_head_verifies_and_is_not_repeated_without_growth(kelurahan: Kelurahan) -> None:
    for i in range(3):
        entry_record(kelurahan=kelurahan, type="t", actor=None, subject=f"s:{i}")
    head = tree_head_publish(kelurahan=kelurahan)
    assert head.tree_size == log_size(kelurahan=kelurahan)
    assert tree_head_signature_valid(
        public_key=bytes(head.public_key),
        signature=bytes(head.signature),
        tree_size=head.tree_size,
        root_hash=bytes(head.root_hash),
        timestamp=head.timestamp,
    )
    assert not tree_head_signature_valid(
        public_key=bytes(head.public_key),
        signature=bytes(head.signature),
        tree_size=head.tree_size + 1,
        root_hash=bytes(head.root_hash),
        timestamp=head.timestamp,
    )
    assert tree_head_publish(kelurahan=kelurahan) == head
    entry_record(kelurahan=kelurahan, type="t", actor=None, subject="s:9")
    assert tree_head_publish(kelurahan=kelurahan).tree_size == head.tree_size + 1
    assert SignedTreeHead.objects.filter(kelurahan=kelurahan).count() == 2


def test_append_stores_only_the_nodes_it_completes(kelurahan: Kelurahan) -> None:
    start = log_size(kelurahan=kelurahan)
    nodes_before = TreeNode.objects.filter(kelurahan=kelurahan).count()
    entries_append(
        kelurahan=kelurahan,
        entries=[
            {"type": "t", "at": "x", "actor": "system", "subject": "s:1", "data": {}}
            for _ in range(64 - start % 64)
        ],
    )
    size = log_size(kelurahan=kelurahan)
    # A perfect tree of n leaves has 2n - 1 nodes; every stored node is a perfect subtree.
    assert TreeNode.objects.filter(kelurahan=kelurahan).count() - nodes_before > 0
    assert TreeNode.objects.filter(kelurahan=kelurahan).count() == sum(
        size >> level for level in range(size.bit_length())
    )


def test_the_demo_log_holds_no_phone_number_or_nik(db: Any) -> None:
    call_command("seed_demo", "--quiet")
    bodies = "\n".join(LogEntry.objects.values_list("body", flat=True))
    assert bodies
    for phone in User.objects.values_list("phone", flat=True):
        assert phone not in bodies and phone.replace("+62", "0") not in bodies
    # A NIK/KK is 16 digits standing alone; digests (hex, or a pHash under a *hash key,
    # which can be all decimal) are not identity numbers.
    for entry in LogEntry.objects.values_list("body", flat=True):
        for key, value in _leaves(json.loads(entry)["data"]):
            if not key.endswith(("hash", "sha256", "digest")):
                assert not re.search(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])", str(value)), key
    kelurahan = Kelurahan.objects.get(slug="taman")
    assert log_verify(kelurahan=kelurahan).ok


def test_every_demo_entry_fits_its_declared_schema_and_no_typed_note_is_public(db: Any) -> None:
    call_command("seed_demo", "--quiet")
    entries = [json.loads(body) for body in LogEntry.objects.values_list("body", flat=True)]
    assert {e["type"] for e in entries} <= set(ENTRY_TYPES)
    for entry in entries:
        assert entry_data_clean(entry["type"], entry["data"]) == entry["data"], entry["type"]
    bodies = "\n".join(LogEntry.objects.values_list("body", flat=True))
    notes = [note for note in Evidence.objects.values_list("note", flat=True) if note]
    assert notes
    for note in notes:
        assert note not in bodies


def _leaves(value: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, str(k))]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v, key)]
    return [(key, value)]


def test_appends_read_the_right_edge_from_the_head_or_rebuild_it(
    kelurahan: Kelurahan, django_assert_max_num_queries: Any
) -> None:
    from gotong.transparency.models import LogHead

    for i in range(5):
        entry_record(kelurahan=kelurahan, type="t", actor=None, subject=f"s:{i}")
    with django_assert_max_num_queries(6):  # head, entry, nodes, head update (+ savepoints)
        entry_record(kelurahan=kelurahan, type="t", actor=None, subject="s:5")
    LogHead.objects.filter(pk=kelurahan.pk).update(frontier=b"")  # e.g. a log from before
    entry_record(kelurahan=kelurahan, type="t", actor=None, subject="s:6")
    assert len(bytes(LogHead.objects.get(pk=kelurahan.pk).frontier)) > 0
    tree_head_publish(kelurahan=kelurahan)
    assert log_verify(kelurahan=kelurahan).ok
