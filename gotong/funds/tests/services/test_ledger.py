"""The ledger: balanced transfers, append-only postings, balances that never go below zero
where forbidden, reversals, and idempotency keys."""

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from gotong.core.exceptions import Conflict, ValidationFailed
from gotong.funds import selectors, services
from gotong.funds.models import Account, AccountKind, Posting, Transfer, TransferKind
from gotong.funds.tests.factories import confirmed_donation
from gotong.transparency.models import LogEntry, QueuedEntry
from gotong.transparency.services import queue_drain

pytestmark = pytest.mark.django_db


def _accounts(money: Any) -> dict[str, Account]:
    return services.accounts_ensure(kelurahan=money.kelurahan)


def test_a_confirmed_donation_posts_a_balanced_transfer_and_logs_it(money: Any) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 250_000, campaign=money.campaign
    )
    # What the after-commit callback does (the test's transaction never commits).
    queue_drain(kelurahan_id=money.kelurahan.pk)

    transfer = donation.transfer
    assert sorted(p.amount for p in transfer.postings.all()) == [-250_000, 250_000]
    assert selectors.account_balance(account=_accounts(money)[AccountKind.BANK]) == 250_000
    assert selectors.account_balance(account=money.campaign.account) == 250_000
    # The entry was queued in the transfer's transaction and appended after the commit.
    entry = LogEntry.objects.get(kelurahan=money.kelurahan, subject=f"transfer:{transfer.pk}")
    assert '"amount":250000' in entry.body
    assert not QueuedEntry.objects.exists()


def test_a_transfer_entry_waits_in_the_queue_until_the_commit(money: Any) -> None:
    bank, aid = _accounts(money)[AccountKind.BANK], _accounts(money)[AccountKind.AID_FUND]
    transfer = services.transfer_post(
        kelurahan=money.kelurahan,
        kind="internal",
        postings=[(bank, 5_000), (aid, -5_000)],
        actor=money.treasurer,
    )
    # Inside the (test's) transaction: queued, not yet in the log.
    assert not LogEntry.objects.filter(subject=f"transfer:{transfer.pk}").exists()
    queued = [q.entry["subject"] for q in QueuedEntry.objects.filter(kelurahan=money.kelurahan)]
    assert queued.count(f"transfer:{transfer.pk}") == 1


def test_unbalanced_fractional_and_zero_postings_are_refused(money: Any) -> None:
    bank, aid = _accounts(money)[AccountKind.BANK], _accounts(money)[AccountKind.AID_FUND]
    cases = [
        [(bank, 100), (aid, -99)],
        [(bank, 100.5), (aid, -100.5)],
        [(bank, 0), (aid, 0)],
        [(bank, 100)],
    ]
    for postings in cases:
        with pytest.raises(ValidationFailed):
            services.transfer_post(
                kelurahan=money.kelurahan, kind="internal", postings=postings, actor=money.treasurer
            )
    assert Transfer.objects.count() == 0


def test_a_fund_cannot_go_negative_and_nothing_is_posted(money: Any) -> None:
    bank, aid = _accounts(money)[AccountKind.BANK], _accounts(money)[AccountKind.AID_FUND]
    with pytest.raises(ValidationFailed) as refused:
        services.transfer_post(
            kelurahan=money.kelurahan,
            kind="spend",
            postings=[(aid, 5_000), (bank, -5_000)],
            actor=money.treasurer,
        )
    assert refused.value.extra["reason"] == "insufficient_balance"
    assert Transfer.objects.count() == 0 and Posting.objects.count() == 0
    assert Account.objects.get(pk=aid.pk).balance == 0


def test_postings_and_transfers_refuse_update_and_delete_in_the_database(money: Any) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 10_000, target="aid_fund"
    )
    posting = donation.transfer.postings.first()
    for sql, pk in (
        ("UPDATE funds_posting SET amount = 1 WHERE id = %s", posting.pk),
        ("DELETE FROM funds_posting WHERE id = %s", posting.pk),
        ("UPDATE funds_transfer SET amount = 1 WHERE id = %s", donation.transfer_id),
        ("DELETE FROM funds_transfer WHERE id = %s", donation.transfer_id),
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert Posting.objects.get(pk=posting.pk).amount == posting.amount


def test_a_reversal_mirrors_the_transfer_once(money: Any) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 40_000, campaign=money.campaign
    )

    mirror = services.transfer_reverse(
        actor=money.treasurer, transfer=donation.transfer, reason="Salah catat nominal"
    )

    assert mirror.kind == TransferKind.REVERSAL and mirror.reverses_id == donation.transfer_id
    assert selectors.account_balance(account=money.campaign.account) == 0
    donation.refresh_from_db()
    assert donation.status == "cancelled"
    with pytest.raises(Conflict):
        services.transfer_reverse(actor=money.treasurer, transfer=donation.transfer, reason="lagi")


def test_a_reversal_that_would_take_a_fund_below_zero_is_refused(money: Any) -> None:
    donation = confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 40_000, campaign=money.campaign
    )
    services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=30_000,
        count=1,
        rt=money.rt,
    )

    with pytest.raises(ValidationFailed):
        services.transfer_reverse(actor=money.treasurer, transfer=donation.transfer, reason="salah")
    assert selectors.account_balance(account=money.campaign.account) == 10_000


def test_idempotent_replay_returns_the_first_transfer(money: Any) -> None:
    bank, cash = _accounts(money)[AccountKind.BANK], _accounts(money)[AccountKind.CASH]
    confirmed_donation(money.treasurer, money.admin, money.kelurahan, 100_000, target="aid_fund")

    first = services.transfer_internal(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        source=bank,
        destination=cash,
        amount=20_000,
        memo="Tarik tunai",
        idempotency_key="k-1",
    )
    again = services.transfer_internal(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        source=bank,
        destination=cash,
        amount=20_000,
        memo="Tarik tunai",
        idempotency_key="k-1",
    )

    assert again.pk == first.pk and again.replayed is True
    assert Account.objects.get(pk=cash.pk).balance == 20_000
    with pytest.raises(ValidationFailed) as refused:
        services.transfer_internal(
            actor=money.treasurer,
            kelurahan=money.kelurahan,
            source=bank,
            destination=cash,
            amount=25_000,
            memo="Tarik tunai",
            idempotency_key="k-1",
        )
    assert refused.value.status_code == 422
    assert refused.value.extra["reason"] == "idempotency_key_reused"


def test_aid_and_operational_money_stay_separate(money: Any) -> None:
    accounts = _accounts(money)
    confirmed_donation(money.treasurer, money.admin, money.kelurahan, 100_000, target="operational")
    with pytest.raises(ValidationFailed) as refused:
        services.transfer_internal(
            actor=money.treasurer,
            kelurahan=money.kelurahan,
            source=accounts[AccountKind.OPERATIONAL_FUND],
            destination=accounts[AccountKind.AID_FUND],
            amount=1_000,
            memo="x",
        )
    assert refused.value.extra["reason"] == "separation"


def test_reconciliation_finds_the_cached_balances_equal_to_the_postings(money: Any) -> None:
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 75_000, campaign=money.campaign
    )
    report = selectors.ledger_reconcile(kelurahan=money.kelurahan)
    assert report.balanced and report.mismatched_accounts == [] and report.postings_sum == 0
