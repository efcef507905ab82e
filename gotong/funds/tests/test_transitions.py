"""The funds transition tables: every status of every status field has a rule, is where a
row starts, or is declared final, so a new status without a rule fails here."""

import pytest
from django.db import models

from gotong.core.exceptions import Conflict, PermissionDenied
from gotong.funds import models as funds_models
from gotong.funds.models import DisbursementStatus, DonationStatus, VoucherStatus
from gotong.funds.transitions import (
    DISBURSEMENT_OUTSTANDING,
    DONATION_CONFIRMABLE,
    LIFECYCLES,
    VOUCHER_REFILLABLE,
    VOUCHER_SPENDABLE,
    step_check,
)


def _reachable(lifecycle_name: str) -> set[str]:
    cycle = LIFECYCLES[lifecycle_name]
    seen = set(cycle.initial)
    frontier = list(seen)
    while frontier:
        current = frontier.pop()
        for frm, to in cycle.table:
            if frm == current and to not in seen:
                seen.add(to)
                frontier.append(to)
    return seen


@pytest.mark.parametrize("name", sorted(LIFECYCLES))
def test_every_status_is_reached_from_where_a_row_starts(name: str) -> None:
    cycle = LIFECYCLES[name]
    assert set(cycle.statuses.values) == _reachable(name)


@pytest.mark.parametrize("name", sorted(LIFECYCLES))
def test_every_status_moves_on_unless_it_is_declared_final(name: str) -> None:
    cycle = LIFECYCLES[name]
    moving = {frm for frm, _to in cycle.table}
    assert moving | set(cycle.terminal) == set(cycle.statuses.values)
    assert not moving & set(cycle.terminal), "a final status has a step out of it"


@pytest.mark.parametrize("name", sorted(LIFECYCLES))
def test_every_rule_names_statuses_of_its_own_enum(name: str) -> None:
    cycle = LIFECYCLES[name]
    for frm, to in cycle.table:
        assert frm in cycle.statuses.values and to in cycle.statuses.values


def test_every_status_field_of_the_funds_models_has_a_table() -> None:
    with_table = {cycle.statuses for cycle in LIFECYCLES.values()}
    status_enums = set()
    for model in vars(funds_models).values():
        if isinstance(model, type) and issubclass(model, models.Model):
            for field in model._meta.get_fields():
                if field.name == "status" and getattr(field, "choices", None):
                    enum = next(
                        value
                        for value in vars(funds_models).values()
                        if isinstance(value, type)
                        and issubclass(value, models.TextChoices)
                        and value.choices == list(field.choices)
                    )
                    status_enums.add(enum)
    assert status_enums, "no status field found"
    assert status_enums <= with_table


def test_a_step_the_table_does_not_allow_is_refused_with_both_statuses_named() -> None:
    with pytest.raises(Conflict) as refused:
        step_check(
            "donation",
            current=DonationStatus.PENDING,
            target=DonationStatus.CONFIRMED,
            refused="%(current)s -> %(target)s",
        )
    assert refused.value.extra == {
        "field": "status",
        "current": DonationStatus.PENDING,
        "target": DonationStatus.CONFIRMED,
    }


def test_the_platform_steps_are_refused_to_a_person() -> None:
    with pytest.raises(PermissionDenied):
        step_check(
            "voucher",
            current=VoucherStatus.ACTIVE,
            target=VoucherStatus.EXPIRED,
            refused="%(current)s -> %(target)s",
            actor=object(),
        )


def test_the_named_sets_follow_the_tables() -> None:
    assert DONATION_CONFIRMABLE == {DonationStatus.RECORDED}
    assert VOUCHER_SPENDABLE == {VoucherStatus.ACTIVE}
    assert VOUCHER_REFILLABLE == {VoucherStatus.ACTIVE, VoucherStatus.REDEEMED}
    assert DISBURSEMENT_OUTSTANDING == {
        DisbursementStatus.REQUESTED,
        DisbursementStatus.APPROVED,
    }
