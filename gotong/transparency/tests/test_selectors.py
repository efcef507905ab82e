"""verify_log finds tampering at the right index; selectors stay within their kelurahan."""

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gotong.core.exceptions import NotFound, ValidationFailed
from gotong.territory.models import Kelurahan
from gotong.transparency import merkle, selectors
from gotong.transparency.db import triggers_remove
from gotong.transparency.services import entries_append, tree_head_publish

pytestmark = pytest.mark.django_db
SIZE = 37


@pytest.fixture
def log(kelurahan: Kelurahan) -> Iterator[Kelurahan]:
    entries_append(
        kelurahan=kelurahan,
        entries=[
            {
                "type": "test.event",
                "at": f"t{i}",
                "actor": "system",
                "subject": f"test:{i}",
                "data": {"i": i},
            }
            for i in range(SIZE - selectors.log_size(kelurahan=kelurahan))
        ],
    )
    tree_head_publish(kelurahan=kelurahan)
    # Tamper tests edit rows as an attacker with raw SQL and schema rights would; the
    # test transaction's rollback restores the triggers.
    triggers_remove(connection)
    yield kelurahan


def sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def body_of(kelurahan: Kelurahan, index: int) -> str:
    return selectors.entry_get(kelurahan=kelurahan, index=index).body


def bad_index(kelurahan: Kelurahan) -> int | None:
    check = selectors.log_verify(kelurahan=kelurahan)
    assert not check.ok
    return check.first_bad_index


def test_an_intact_log_verifies(log: Kelurahan) -> None:
    check = selectors.log_verify(kelurahan=log)
    assert check.ok and check.size == SIZE and check.heads_checked == 1
    call_command("verify_log", "--kelurahan", log.slug, stdout=StringIO())


def test_a_changed_entry_is_found(log: Kelurahan) -> None:
    sql(
        'UPDATE transparency_logentry SET body = %s WHERE kelurahan_id = %s AND "index" = 11',
        body_of(log, 11).replace('"i":11', '"i":99'),
        log.pk,
    )
    assert bad_index(log) == 11


def test_a_changed_entry_with_a_recomputed_hash_is_found(log: Kelurahan) -> None:
    body = body_of(log, 20).replace('"i":20', '"i":99')
    sql(
        "UPDATE transparency_logentry SET body = %s, leaf_hash = %s "
        'WHERE kelurahan_id = %s AND "index" = 20',
        body,
        merkle.leaf_hash(body.encode()),
        log.pk,
    )
    assert bad_index(log) == 20


def test_a_deleted_entry_is_found(log: Kelurahan) -> None:
    sql('DELETE FROM transparency_logentry WHERE kelurahan_id = %s AND "index" = 7', log.pk)
    assert bad_index(log) == 7


def test_an_inserted_entry_is_found(log: Kelurahan) -> None:
    # Shift entries 5.. up by one and put a forged entry (with a correct leaf hash) at 5.
    sql(
        'UPDATE transparency_logentry SET "index" = "index" + 1000 WHERE kelurahan_id = %s '
        'AND "index" >= 5',
        log.pk,
    )
    sql(
        'UPDATE transparency_logentry SET "index" = "index" - 999 WHERE kelurahan_id = %s '
        'AND "index" >= 1000',
        log.pk,
    )
    forged = body_of(log, 4).replace('"i":4', '"i":444')
    sql(
        'INSERT INTO transparency_logentry (kelurahan_id, "index", type, subject, body, leaf_hash, '
        "recorded_at) SELECT kelurahan_id, 5, type, subject, %s, %s, recorded_at "
        'FROM transparency_logentry WHERE kelurahan_id = %s AND "index" = 4',
        forged,
        merkle.leaf_hash(forged.encode()),
        log.pk,
    )
    assert bad_index(log) == 5


def test_an_entry_appended_behind_the_logs_back_is_found(log: Kelurahan) -> None:
    sql(
        'INSERT INTO transparency_logentry (kelurahan_id, "index", type, subject, body, leaf_hash, '
        "recorded_at) SELECT kelurahan_id, %s, type, subject, body, leaf_hash, recorded_at "
        'FROM transparency_logentry WHERE kelurahan_id = %s AND "index" = 0',
        SIZE,
        log.pk,
    )
    assert bad_index(log) == SIZE


def test_two_swapped_entries_are_found(log: Kelurahan) -> None:
    sql(
        'UPDATE transparency_logentry SET "index" = 1000 WHERE kelurahan_id = %s AND "index" = 3',
        log.pk,
    )
    sql(
        'UPDATE transparency_logentry SET "index" = 3 WHERE kelurahan_id = %s AND "index" = 30',
        log.pk,
    )
    sql(
        'UPDATE transparency_logentry SET "index" = 30 WHERE kelurahan_id = %s AND "index" = 1000',
        log.pk,
    )
    assert bad_index(log) == 3


def test_a_forged_signed_head_is_found(log: Kelurahan) -> None:
    sql(
        "UPDATE transparency_signedtreehead SET tree_size = tree_size - 1 WHERE kelurahan_id = %s",
        log.pk,
    )
    assert not selectors.log_verify(kelurahan=log).ok


def test_verify_log_command_exits_non_zero_with_the_index(log: Kelurahan) -> None:
    sql('DELETE FROM transparency_logentry WHERE kelurahan_id = %s AND "index" = 2', log.pk)
    with pytest.raises(CommandError, match="first bad index: 2"):
        call_command("verify_log", "--kelurahan", log.slug, stdout=StringIO(), stderr=StringIO())


def test_verify_log_command_refuses_an_unknown_kelurahan(db: object) -> None:
    with pytest.raises(CommandError):
        call_command("verify_log", "--kelurahan", "nowhere", stdout=StringIO())


def test_selectors_only_see_their_own_kelurahan(log: Kelurahan, other_kelurahan: Kelurahan) -> None:
    assert selectors.log_size(kelurahan=other_kelurahan) == 0
    assert not selectors.entry_list(kelurahan=other_kelurahan).exists()
    assert selectors.entry_types(kelurahan=other_kelurahan) == []
    assert not selectors.entries_for_subject(kelurahan=other_kelurahan, subject="test:1").exists()
    with pytest.raises(NotFound):
        selectors.tree_head_latest(kelurahan=other_kelurahan)
    with pytest.raises(NotFound):
        selectors.entry_get(kelurahan=other_kelurahan, index=0)
    with pytest.raises(ValidationFailed):
        selectors.entry_range(kelurahan=other_kelurahan, start=0, end=10)
    with pytest.raises(ValidationFailed):
        selectors.inclusion_proof(kelurahan=other_kelurahan, index=0, tree_size=1)
    assert [e.index for e in selectors.entry_list(kelurahan=log, type_prefix="test.")][:2] == [
        SIZE - 1,
        SIZE - 2,
    ]


def test_a_receipt_check_verifies_inclusion(log: Kelurahan) -> None:
    entry = selectors.entry_get(kelurahan=log, index=13)
    check = selectors.entry_inclusion_check(kelurahan=log, entry=entry)
    assert check["signed"] and check["verified"] and check["tree_size"] == SIZE
