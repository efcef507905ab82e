"""Possible duplicates: a similar record opens a case; an operator decides it."""

import datetime as dt
from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.core.exceptions import Conflict
from gotong.registry import services
from gotong.registry.models import (
    ConsentPurpose,
    DuplicateCase,
)
from gotong.registry.tests.factories import PersonFactory, person_data

pytestmark = pytest.mark.django_db

AID = [ConsentPurpose.AID]


def test_a_similar_name_with_the_same_birth_date_in_the_same_rt_opens_a_case(
    rt: Any, make_member: Any
) -> None:
    older = PersonFactory(rt=rt, full_name="Siti Rahayu", sex="F", birth_date=dt.date(1985, 3, 14))
    user = make_member(Role.WARGA, rt)

    person = services.person_register_self(
        actor=user,
        kelurahan=rt.kelurahan,
        data=person_data(rt, full_name="Siti Rahayuu"),
        consents=AID,
    )

    case = DuplicateCase.objects.get(person=person)
    assert case.candidate == older and case.score >= services.DUPLICATE_NAME_SCORE


def test_an_operator_decides_a_duplicate_which_is_deactivated_not_deleted(
    rt: Any, make_member: Any
) -> None:
    older = PersonFactory(rt=rt, full_name="Siti Rahayu", sex="F", birth_date=dt.date(1985, 3, 14))
    user = make_member(Role.WARGA, rt)
    newer = services.person_register_self(
        actor=user,
        kelurahan=rt.kelurahan,
        data=person_data(rt, full_name="Siti Rahayuu"),
        consents=AID,
    )
    operator = make_member(Role.OPERATOR, rt.kelurahan)
    operator.is_verified = lambda: True
    case = DuplicateCase.objects.get(person=newer)

    services.duplicate_case_decide(actor=operator, case=case, decision="duplicate")

    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.status == "duplicate" and newer.duplicate_of == older
    assert older.user == user  # the login moves to the record that stays
    with pytest.raises(Conflict):
        services.duplicate_case_decide(actor=operator, case=case, decision="unique")


def test_same_household_decision_puts_both_in_one_household(rt: Any, make_member: Any) -> None:
    a = PersonFactory(rt=rt, full_name="Siti Rahayu", birth_date=dt.date(1985, 3, 14))
    b = PersonFactory(rt=rt, full_name="Siti Rahayu", birth_date=dt.date(1985, 3, 14))
    case = DuplicateCase.objects.create(
        kelurahan=rt.kelurahan, person_id=b.pk, candidate_id=a.pk, score=100
    )
    operator = make_member(Role.OPERATOR, rt.kelurahan)
    operator.is_verified = lambda: True

    services.duplicate_case_decide(actor=operator, case=case, decision="same_household")

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.household_id == b.household_id is not None
    assert a.status == b.status == "active"
