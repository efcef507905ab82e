"""Reads of a resident's data by others: permitted by territory, masked in anonymous mode,
every read in the access log, Tier 2 only with a purpose."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.core.exceptions import PermissionDenied, ValidationFailed
from gotong.registry import selectors, services
from gotong.registry.models import DataAccess
from gotong.registry.tests.factories import (
    RESIDENT_NIK,
    PersonFactory,
    verified_officer,
)
from gotong.transparency.models import LogEntry

pytestmark = pytest.mark.django_db


def test_an_rt_head_viewing_a_resident_is_logged_with_role_fields_and_purpose(
    resident: Any, rt: Any, make_member: Any
) -> None:
    head = make_member(Role.KETUA_RT, rt)

    seen = services.person_view(actor=head, person=resident, purpose="aid_verification")

    assert seen["full_name"] == "Siti Rahayu" and "nik" not in seen
    access = DataAccess.objects.get(person=resident)
    assert (access.accessor, access.accessor_role, access.purpose, access.tier) == (
        head,
        "ketua_rt",
        "aid_verification",
        1,
    )
    assert "full_name" in access.fields
    assert list(selectors.data_access_list_for_person(kelurahan=rt.kelurahan, person=resident)) == [
        access
    ]


def test_a_list_view_logs_one_row_per_person_shown_and_the_person_reading_themselves_is_not_logged(
    resident: Any, rt: Any, make_member: Any
) -> None:
    others = [PersonFactory(rt=rt) for _ in range(3)]
    head = make_member(Role.KETUA_RT, rt)

    rows = services.person_list_view(
        actor=head,
        kelurahan=rt.kelurahan,
        persons=list(selectors.person_list_for_viewer(kelurahan=rt.kelurahan, user=head)),
        rt=rt,
    )
    services.person_own_tier2(person=resident)

    assert len(rows) == 4
    assert DataAccess.objects.count() == 4
    assert {a.person_id for a in DataAccess.objects.all()} == {resident.pk, *[o.pk for o in others]}


def test_an_rt_head_of_another_rt_cannot_view(
    resident: Any, rt_same_rw: Any, make_member: Any
) -> None:
    head = make_member(Role.KETUA_RT, rt_same_rw)
    with pytest.raises(PermissionDenied):
        services.person_view(actor=head, person=resident)
    assert not DataAccess.objects.exists()


def test_revealing_tier2_needs_a_purpose_and_is_logged(
    resident: Any, make_member: Any, rt: Any
) -> None:
    operator = verified_officer(make_member, Role.OPERATOR, rt.kelurahan)

    with pytest.raises(ValidationFailed):
        services.person_reveal(actor=operator, person=resident, fields=["nik"], purpose="")
    assert not DataAccess.objects.exists()

    values = services.person_reveal(
        actor=operator, person=resident, fields=["nik", "health_notes"], purpose="aid_verification"
    )

    assert values == {"nik": RESIDENT_NIK, "health_notes": "Diabetes tipe 2"}
    access = DataAccess.objects.get()
    assert access.tier == 2 and access.fields == ["nik", "health_notes"]
    assert access.accessor_role == "operator"
    entry = LogEntry.objects.get(type="person.sensitive_revealed")
    assert RESIDENT_NIK not in entry.body and "Diabetes" not in entry.body


def test_a_lurah_may_see_tier1_but_not_reveal_tier2(
    resident: Any, make_member: Any, rt: Any
) -> None:
    lurah = verified_officer(make_member, Role.LURAH, rt.kelurahan)
    services.person_view(actor=lurah, person=resident)
    with pytest.raises(PermissionDenied):
        services.person_reveal(actor=lurah, person=resident, fields=["nik"], purpose="emergency")


def test_anonymous_mode_hides_the_name_from_everyone_but_the_rt_head(
    rt: Any, make_member: Any
) -> None:
    person = PersonFactory(rt=rt, anonymous_mode=True, full_name="Rahasia")
    head = make_member(Role.KETUA_RT, rt)
    rw_head = make_member(Role.KETUA_RW, rt.rw)

    assert services.person_view(actor=head, person=person)["full_name"] == "Rahasia"
    masked = services.person_view(actor=rw_head, person=person)
    assert masked["full_name"] == masked["phone"] == ""
    assert masked["pseudonym"].startswith("W-")
