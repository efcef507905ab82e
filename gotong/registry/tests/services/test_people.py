"""Registration flows: self, RT proxy household, kiosk; bad input changes nothing."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gotong.accounts.models import Membership, Role
from gotong.core.crypto import field_decrypt
from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from gotong.registry import services
from gotong.registry.models import (
    Consent,
    ConsentChannel,
    ConsentPurpose,
    DuplicateCase,
    Household,
    Person,
    Relationship,
)
from gotong.registry.tests.factories import PersonFactory, nik_for, person_data
from gotong.territory.tests.factories import RTFactory, RWFactory
from gotong.transparency.models import LogEntry

pytestmark = pytest.mark.django_db

AID = [ConsentPurpose.AID]
AID_SENSITIVE = [ConsentPurpose.AID, ConsentPurpose.SENSITIVE_DATA]
PHOTO = SimpleUploadedFile("form.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100, "image/jpeg")


def _counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Household.objects.count(),
        Consent.objects.count(),
        LogEntry.objects.count(),
    )


def test_a_resident_registers_themselves_with_consent_and_gets_the_resident_role(
    rt: Any, make_member: Any
) -> None:
    user = make_member(Role.WARGA, rt)
    nik = nik_for(dt.date(1985, 3, 14), "F")

    person = services.person_register_self(
        actor=user,
        kelurahan=rt.kelurahan,
        data=person_data(rt, phone="", nik=nik),
        consents=[*AID_SENSITIVE, ConsentPurpose.NOTIFICATIONS],
    )

    assert person.user == user and person.phone == user.phone
    assert field_decrypt(person.nik_ciphertext, context=services.NIK_CONTEXT) == nik
    consent = Consent.objects.get(person=person, purpose=ConsentPurpose.AID)
    assert consent.channel == ConsentChannel.SELF and consent.text_version == "1"
    assert "Saya setuju data ini digunakan" in consent.text
    assert Membership.objects.filter(user=user, role=Role.WARGA, rt=rt).exists()
    entry = LogEntry.objects.get(type="person.registered", subject=f"person:{person.pk}")
    assert nik not in entry.body and "Siti" not in entry.body


@pytest.mark.parametrize(
    ("change", "consents", "field"),
    [
        ({"nik": "3577031403850001"}, AID_SENSITIVE, "nik"),  # a man's NIK for a woman
        ({"nik": "1234"}, AID_SENSITIVE, "nik"),
        ({"birth_date": dt.date(2999, 1, 1)}, AID, "birth_date"),
        ({"full_name": " "}, AID, "full_name"),
        ({"phone": "0211234567"}, AID, "phone"),
        ({}, [ConsentPurpose.NOTIFICATIONS], "consents"),
        ({"nik": nik_for(dt.date(1985, 3, 14), "F")}, AID, "consents"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_saved(
    rt: Any, make_member: Any, change: dict[str, Any], consents: list[str], field: str
) -> None:
    user = make_member(Role.WARGA, rt)
    before = _counts()

    with pytest.raises(ValidationFailed) as refused:
        services.person_register_self(
            actor=user, kelurahan=rt.kelurahan, data=person_data(rt, **change), consents=consents
        )

    assert refused.value.extra["field"] == field
    assert _counts() == before


def test_an_rt_outside_the_kelurahan_is_refused(
    rt: Any, other_kelurahan: Any, make_member: Any
) -> None:
    foreign_rt = RTFactory(rw=RWFactory(kelurahan=other_kelurahan))
    user = make_member(Role.WARGA, rt)

    with pytest.raises(ValidationFailed) as refused:
        services.person_register_self(
            actor=user, kelurahan=rt.kelurahan, data=person_data(foreign_rt), consents=AID
        )

    assert refused.value.extra["field"] == "rt"
    assert not Person.objects.exists()


def test_a_second_person_with_the_same_nik_is_refused_without_repeating_it(
    rt: Any, make_member: Any
) -> None:
    nik = nik_for(dt.date(1985, 3, 14), "F")
    PersonFactory(rt=rt, nik=nik, sex="F", birth_date=dt.date(1985, 3, 14))
    user = make_member(Role.WARGA, rt)
    before = _counts()

    with pytest.raises(Conflict) as refused:
        services.person_register_self(
            actor=user,
            kelurahan=rt.kelurahan,
            data=person_data(rt, full_name="Orang Lain", nik=nik),
            consents=AID_SENSITIVE,
        )

    assert refused.value.extra == {"field": "nik", "reason": "duplicate_nik"}
    assert nik not in str(refused.value.message)
    assert _counts() == before


def test_the_same_nik_in_another_kelurahan_is_another_tenant(
    rt: Any, other_kelurahan: Any, make_member: Any
) -> None:
    nik = nik_for(dt.date(1985, 3, 14), "F")
    PersonFactory(rt=RTFactory(rw=RWFactory(kelurahan=other_kelurahan)), nik=nik)
    user = make_member(Role.WARGA, rt)

    person = services.person_register_self(
        actor=user, kelurahan=rt.kelurahan, data=person_data(rt, nik=nik), consents=AID_SENSITIVE
    )

    assert person.nik_index


def test_an_operator_at_the_kiosk_gets_a_merge_proposal_for_a_known_nik(
    rt: Any, make_member: Any, login: Any
) -> None:
    nik = nik_for(dt.date(1985, 3, 14), "F")
    existing = PersonFactory(rt=rt, nik=nik, sex="F", birth_date=dt.date(1985, 3, 14))
    operator = make_member(Role.OPERATOR, rt.kelurahan)
    operator.is_verified = lambda: True

    person = services.person_register_kiosk(
        actor=operator,
        kelurahan=rt.kelurahan,
        data=person_data(rt, full_name="Siti R.", nik=nik),
        consents=AID_SENSITIVE,
        evidence=PHOTO,
    )

    assert person.nik_index == ""
    case = DuplicateCase.objects.get(person=person)
    assert case.candidate == existing and case.reasons == ["same_nik"]
    assert (
        Consent.objects.filter(person=person, channel=ConsentChannel.KIOSK)
        .exclude(evidence="")
        .count()
        == 2
    )


def test_kiosk_registration_needs_a_photo_of_the_signed_form(rt: Any, make_member: Any) -> None:
    operator = make_member(Role.OPERATOR, rt.kelurahan)
    operator.is_verified = lambda: True
    not_a_photo = SimpleUploadedFile("form.jpg", b"%PDF-1.4 not a photo", "image/jpeg")

    for evidence in (None, not_a_photo):
        with pytest.raises(ValidationFailed) as refused:
            services.person_register_kiosk(
                actor=operator,
                kelurahan=rt.kelurahan,
                data=person_data(rt),
                consents=AID,
                evidence=evidence,
            )
        assert refused.value.extra["field"] == "evidence"
    assert not Person.objects.exists()


def test_a_resident_cannot_use_the_kiosk(rt: Any, make_member: Any) -> None:
    user = make_member(Role.WARGA, rt)
    with pytest.raises(PermissionDenied):
        services.person_register_kiosk(
            actor=user, kelurahan=rt.kelurahan, data=person_data(rt), consents=AID, evidence=PHOTO
        )


def _family(rt: Any) -> list[services.PersonData]:
    return [
        person_data(
            None,
            full_name="Budi Santoso",
            sex="M",
            birth_date=dt.date(1980, 5, 1),
            relationship=Relationship.HEAD,
            nik=nik_for(dt.date(1980, 5, 1), "M", 1),
        ),
        person_data(None, full_name="Ani Santoso", relationship=Relationship.SPOUSE, phone=""),
        person_data(
            None,
            full_name="Dika Santoso",
            sex="M",
            birth_date=dt.date(2015, 7, 2),
            relationship=Relationship.CHILD,
            nik=nik_for(dt.date(2015, 7, 2), "M", 2),
            phone="",
        ),
    ]


def test_the_rt_head_registers_a_household_and_the_head_consents_for_the_child(
    rt: Any, make_member: Any
) -> None:
    head_of_rt = make_member(Role.KETUA_RT, rt)

    household = services.household_register(
        actor=head_of_rt,
        kelurahan=rt.kelurahan,
        rt=rt,
        address="Jl. Melati 3",
        kk_number="3577030101200003",
        members=_family(rt),
        consents=AID_SENSITIVE,
    )

    assert household.size == 3 and household.head.full_name == "Budi Santoso"
    child = household.members.get(full_name="Dika Santoso")
    consent = Consent.objects.get(person=child, purpose=ConsentPurpose.SENSITIVE_DATA)
    assert consent.by_guardian and consent.guardian == household.head
    assert consent.channel == ConsentChannel.RT_PROXY
    assert "3577030101200003" not in household.kk_ciphertext


def test_an_rt_head_cannot_register_in_another_rt_and_nothing_is_saved(
    rt: Any, rt_same_rw: Any, make_member: Any
) -> None:
    head_of_rt = make_member(Role.KETUA_RT, rt)
    before = _counts()

    with pytest.raises(PermissionDenied):
        services.household_register(
            actor=head_of_rt,
            kelurahan=rt.kelurahan,
            rt=rt_same_rw,
            address="Jl. Mawar 1",
            kk_number="",
            members=_family(rt),
            consents=AID_SENSITIVE,
        )

    assert _counts() == before


def test_a_household_with_a_bad_member_or_a_known_kk_saves_nothing(
    rt: Any, make_member: Any
) -> None:
    head_of_rt = make_member(Role.KETUA_RT, rt)
    services.household_register(
        actor=head_of_rt,
        kelurahan=rt.kelurahan,
        rt=rt,
        address="Jl. Melati 3",
        kk_number="3577030101200003",
        members=_family(rt)[:1],
        consents=AID_SENSITIVE,
    )
    before = _counts()
    bad_member = _family(rt)
    bad_member[2].birth_date = dt.date(2999, 1, 1)

    with pytest.raises(ValidationFailed) as bad:
        services.household_register(
            actor=head_of_rt,
            kelurahan=rt.kelurahan,
            rt=rt,
            address="Jl. Melati 4",
            kk_number="3577030101200004",
            members=bad_member,
            consents=AID_SENSITIVE,
        )
    with pytest.raises(Conflict):
        services.household_register(
            actor=head_of_rt,
            kelurahan=rt.kelurahan,
            rt=rt,
            address="Jl. Melati 4",
            kk_number="3577 0301 0120 0003",
            members=[person_data(None, full_name="Lain", relationship=Relationship.HEAD)],
            consents=AID,
        )

    assert bad.value.extra == {"field": "birth_date", "member": 2}
    assert _counts() == before


def test_a_child_cannot_self_register_sensitive_data(rt: Any, make_member: Any) -> None:
    user = make_member(Role.WARGA, rt)
    today = timezone.localdate()
    born = today.replace(year=today.year - 15, day=1)

    with pytest.raises(ValidationFailed) as refused:
        services.person_register_self(
            actor=user,
            kelurahan=rt.kelurahan,
            data=person_data(rt, sex="M", birth_date=born, nik=nik_for(born, "M")),
            consents=AID_SENSITIVE,
        )

    assert refused.value.extra["purpose"] == ConsentPurpose.SENSITIVE_DATA
