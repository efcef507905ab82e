"""Concurrency on PostgreSQL: 50 threads post 1,000 transfers and race to redeem the same
vouchers; afterwards balances are exact, each voucher was redeemed at most once and a
shared idempotency key executed once."""

import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from gotong.accounts.models import Role
from gotong.core.exceptions import ApplicationError
from gotong.funds import selectors, services
from gotong.funds.models import AccountKind, Redemption, Transfer
from gotong.funds.tests.factories import campaign, confirmed_donation, officer, umkm
from gotong.territory.models import RT
from gotong.transparency.models import LogEntry, QueuedEntry
from gotong.transparency.selectors import log_size, log_verify
from gotong.transparency.services import tree_head_publish

THREADS = 50
TRANSFERS_PER_THREAD = 20
VOUCHERS = 20

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and true parallel writers: PostgreSQL"
)


def _run(threads: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def runner(n: int) -> None:
        try:
            barrier.wait()
            work(n)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=runner, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return errors


def test_fifty_threads_post_exactly_and_redeem_each_voucher_once(
    ledger_tables_flushable: Any, rt: RT, make_member: Callable[..., Any]
) -> None:
    kelurahan = rt.kelurahan
    operator = officer(kelurahan, Role.OPERATOR, make_member)
    treasurer = officer(kelurahan, Role.BENDAHARA, make_member)
    admin = officer(kelurahan, Role.ADMIN, make_member)
    merchant, seller = umkm(rt, operator=operator)
    appeal = campaign(operator, kelurahan)
    confirmed_donation(treasurer, admin, kelurahan, 500_000_000, target="aid_fund")
    confirmed_donation(treasurer, admin, kelurahan, 10_000_000, campaign=appeal)
    codes = [
        code
        for _v, code in services.voucher_issue(
            actor=operator,
            source=appeal.account,
            category="sembako",
            value=10_000,
            count=VOUCHERS,
            rt=rt,
        )
    ]
    accounts = services.accounts_ensure(kelurahan=kelurahan)
    bank, cash = accounts[AccountKind.BANK], accounts[AccountKind.CASH]
    amounts = [
        [random.Random(n * 1000 + i).randint(1, 50_000) for i in range(TRANSFERS_PER_THREAD)]
        for n in range(THREADS)
    ]
    redeemed: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        order = codes[:]
        random.Random(n).shuffle(order)
        for i, amount in enumerate(amounts[n]):
            services.transfer_internal(
                actor=treasurer,
                kelurahan=kelurahan,
                source=bank,
                destination=cash,
                amount=amount,
                memo=f"t{n}-{i}",
            )
            if i < len(order):
                try:
                    services.voucher_redeem(actor=seller, kelurahan=kelurahan, code=order[i])
                    with lock:
                        redeemed.append(i)
                except ApplicationError:
                    pass
        services.transfer_internal(
            actor=treasurer,
            kelurahan=kelurahan,
            source=cash,
            destination=bank,
            amount=1_000,
            memo="same",
            idempotency_key="shared-key",
        )

    errors = _run(THREADS, work)

    assert errors == []
    total = sum(sum(a) for a in amounts)
    assert selectors.account_balance(account=cash) == total - 1_000
    assert selectors.account_balance(account=bank) == 510_000_000 - total + 1_000
    assert Transfer.objects.filter(kelurahan=kelurahan, memo__startswith="t").count() == 1_000
    assert Transfer.objects.filter(idempotency_key="shared-key").count() == 1
    per_voucher = Redemption.objects.values_list("voucher_id", flat=True)
    assert len(per_voucher) == len(set(per_voucher)) == VOUCHERS == len(redeemed)
    assert selectors.account_balance(account=merchant.account) == VOUCHERS * 10_000
    assert selectors.ledger_reconcile(kelurahan=kelurahan).balanced
    # Every transfer reached the public log exactly once, through the queue, with no gap.
    assert not QueuedEntry.objects.exists()
    logged = LogEntry.objects.filter(kelurahan=kelurahan, type="funds.transfer")
    subjects = list(logged.values_list("subject", flat=True))
    transfers = Transfer.objects.filter(kelurahan=kelurahan).count()
    assert len(subjects) == len(set(subjects)) == transfers
    indexes = sorted(LogEntry.objects.filter(kelurahan=kelurahan).values_list("index", flat=True))
    assert indexes == list(range(log_size(kelurahan=kelurahan)))
    tree_head_publish(kelurahan=kelurahan)
    assert log_verify(kelurahan=kelurahan).ok
