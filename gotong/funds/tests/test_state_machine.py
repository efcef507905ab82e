"""Random sequences of donations, matches, internal transfers, voucher issue / redeem /
expire and reversals keep every transfer balanced, no forbidden account below zero, the
sum of all postings zero and the cached balances equal to the postings (hypothesis)."""

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from gotong.core.exceptions import ApplicationError
from gotong.funds import selectors, services
from gotong.funds.models import Account, AccountKind, Posting, Transfer, Voucher
from gotong.funds.tests.conftest import Money
from gotong.funds.tests.factories import campaign, confirmed_donation, csr

pytestmark = pytest.mark.django_db

AMOUNTS = st.integers(min_value=1, max_value=400_000)


def test_random_money_movements_keep_the_ledger_balanced(money: Money) -> None:
    kelurahan = money.kelurahan
    earmarked = campaign(
        money.operator,
        kelurahan,
        title="Posyandu Sehat",
        earmark_kind="category",
        earmark_category="posyandu",
    )
    sponsor = csr(kelurahan)

    class LedgerMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.savepoint = transaction.savepoint()
            self.codes: list[str] = []
            self.pledge = services.pledge_create(
                actor=money.operator, campaign=money.campaign, sponsor=sponsor, cap=300_000
            )
            self.now = timezone.now()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def _try(self, action: Any) -> None:
            try:
                with transaction.atomic():
                    action()
            except ApplicationError:
                pass  # a refusal must change nothing: the invariants check it

        @rule(amount=AMOUNTS, where=st.sampled_from(["campaign", "earmark", "aid_fund", "pledge"]))
        def donate(self, amount: int, where: str) -> None:
            fields: dict[str, Any] = {"target": "campaign" if where == "earmark" else where}
            if where == "campaign":
                fields["campaign"] = money.campaign
            if where == "earmark":
                fields["campaign"] = earmarked
            if where == "pledge":
                fields["pledge"] = self.pledge
            self._try(
                lambda: confirmed_donation(
                    money.treasurer, money.admin, kelurahan, amount, **fields
                )
            )

        @rule(amount=AMOUNTS, to_cash=st.booleans())
        def move_cash(self, amount: int, to_cash: bool) -> None:
            accounts = services.accounts_ensure(kelurahan=kelurahan)
            bank, cash = accounts[AccountKind.BANK], accounts[AccountKind.CASH]
            self._try(
                lambda: services.transfer_internal(
                    actor=money.treasurer,
                    kelurahan=kelurahan,
                    source=bank if to_cash else cash,
                    destination=cash if to_cash else bank,
                    amount=amount,
                    memo="kas",
                )
            )

        @rule(amount=AMOUNTS)
        def aid_fund_to_campaign(self, amount: int) -> None:
            aid = services.accounts_ensure(kelurahan=kelurahan)[AccountKind.AID_FUND]
            self._try(
                lambda: services.transfer_internal(
                    actor=money.treasurer,
                    kelurahan=kelurahan,
                    source=aid,
                    destination=money.campaign.account,
                    amount=amount,
                    memo="alokasi",
                )
            )

        @rule(
            value=st.integers(min_value=1_000, max_value=150_000),
            count=st.integers(min_value=1, max_value=3),
            partial=st.booleans(),
            category=st.sampled_from(["sembako", "posyandu"]),
            earmark=st.booleans(),
        )
        def issue(
            self, value: int, count: int, partial: bool, category: str, earmark: bool
        ) -> None:
            source = earmarked.account if earmark else money.campaign.account

            def act() -> None:
                issued = services.voucher_issue(
                    actor=money.operator,
                    source=source,
                    category=category,
                    value=value,
                    count=count,
                    rt=money.rt,
                    allow_partial=partial,
                )
                self.codes += [code for _v, code in issued]

            self._try(act)

        @rule(pick=st.integers(min_value=0, max_value=50), amount=st.one_of(st.none(), AMOUNTS))
        def redeem(self, pick: int, amount: int | None) -> None:
            if self.codes:
                code = self.codes[pick % len(self.codes)]
                self._try(
                    lambda: services.voucher_redeem(
                        actor=money.seller, kelurahan=kelurahan, code=code, amount=amount
                    )
                )

        @rule(days=st.integers(min_value=0, max_value=40))
        def expire(self, days: int) -> None:
            self._try(lambda: services.vouchers_expire_due(now=self.now + dt.timedelta(days=days)))

        @rule(pick=st.integers(min_value=0, max_value=1000))
        def reverse(self, pick: int) -> None:
            candidates = list(
                Transfer.objects.filter(kelurahan=kelurahan).values_list("pk", flat=True)
            )
            if candidates:
                transfer = Transfer.objects.get(pk=candidates[pick % len(candidates)])
                self._try(
                    lambda: services.transfer_reverse(
                        actor=money.treasurer, transfer=transfer, reason="koreksi acak"
                    )
                )

        @invariant()
        def every_transfer_balances(self) -> None:
            report = selectors.ledger_reconcile(kelurahan=kelurahan)
            assert report.unbalanced_transfers == []
            assert report.postings_sum == 0
            assert report.mismatched_accounts == []
            assert report.negative_accounts == []

        @invariant()
        def no_forbidden_account_is_negative(self) -> None:
            assert not Account.objects.filter(
                kelurahan=kelurahan, may_go_negative=False, balance__lt=0
            ).exists()

        @invariant()
        def pledge_within_cap_and_vouchers_match_their_liability(self) -> None:
            self.pledge.refresh_from_db()
            assert 0 <= self.pledge.matched_total <= self.pledge.cap
            outstanding = (
                Voucher.objects.filter(kelurahan=kelurahan, status="active").aggregate(
                    t=Sum("remaining")
                )["t"]
                or 0
            )
            liability = services.accounts_ensure(kelurahan=kelurahan)[AccountKind.VOUCHER_LIABILITY]
            liability.refresh_from_db()
            assert liability.balance == outstanding
            assert (
                Posting.objects.filter(transfer__kelurahan=kelurahan).aggregate(t=Sum("amount"))[
                    "t"
                ]
                or 0
            ) == 0

    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
