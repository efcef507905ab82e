"""Consent withdrawal, the access log, explicit reveal, export, requests and erasure."""

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.core.exceptions import PermissionDenied, ValidationFailed
from gotong.registry import selectors, services
from gotong.registry.models import ConsentPurpose, DataAccess, DataRequest, Person
from gotong.registry.tests.factories import PersonFactory, nik_for, person_data
from gotong.transparency.models import LogEntry
from gotong.transparency.selectors import log_verify
from gotong.transparency.services import tree_head_publish

pytestmark = pytest.mark.django_db

NIK = nik_for(dt.date(1985, 3, 14), "F", 7)


@pytest.fixture
def resident(rt: Any, make_member: Any) -> Any:
    user = make_member(Role.WARGA, rt)
    person = services.person_register_self(
        actor=user,
        kelurahan=rt.kelurahan,
        data=person_data(rt, nik=NIK, health_notes="Diabetes tipe 2"),
        consents=[ConsentPurpose.AID, ConsentPurpose.SENSITIVE_DATA, ConsentPurpose.NOTIFICATIONS],
    )
    return person


def _officer(make_member: Any, role: Role, unit: Any) -> Any:
    user = make_member(role, unit)
    user.is_verified = lambda: True
    return user


def test_withdrawing_notifications_stops_them(resident: Any, outbox_dir: Any) -> None:
    assert services.person_notify(
        person=resident, template="login_code", context={"code": "1", "minutes": 5}
    )

    services.consent_withdraw(actor=resident.user, person=resident, purpose="notifications")

    assert (
        services.person_notify(
            person=resident, template="login_code", context={"code": "2", "minutes": 5}
        )
        is None
    )
    assert "notifications" not in services.person_consents(person=resident)


def test_withdrawing_sensitive_data_consent_wipes_tier2(resident: Any) -> None:
    services.consent_withdraw(actor=resident.user, person=resident, purpose="sensitive_data")

    resident.refresh_from_db()
    assert resident.nik_ciphertext == resident.nik_index == resident.health_ciphertext == ""
    assert LogEntry.objects.filter(
        type="consent.withdrawn", body__contains='"tier2_wiped":true'
    ).exists()


def test_someone_else_cannot_withdraw_a_residents_consent(
    resident: Any, rt: Any, make_member: Any
) -> None:
    neighbour = make_member(Role.WARGA, rt)
    with pytest.raises(PermissionDenied):
        services.consent_withdraw(actor=neighbour, person=resident, purpose="aid")


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
    operator = _officer(make_member, Role.OPERATOR, rt.kelurahan)

    with pytest.raises(ValidationFailed):
        services.person_reveal(actor=operator, person=resident, fields=["nik"], purpose="")
    assert not DataAccess.objects.exists()

    values = services.person_reveal(
        actor=operator, person=resident, fields=["nik", "health_notes"], purpose="aid_verification"
    )

    assert values == {"nik": NIK, "health_notes": "Diabetes tipe 2"}
    access = DataAccess.objects.get()
    assert access.tier == 2 and access.fields == ["nik", "health_notes"]
    assert access.accessor_role == "operator"
    entry = LogEntry.objects.get(type="person.sensitive_revealed")
    assert NIK not in entry.body and "Diabetes" not in entry.body


def test_a_lurah_may_see_tier1_but_not_reveal_tier2(
    resident: Any, make_member: Any, rt: Any
) -> None:
    lurah = _officer(make_member, Role.LURAH, rt.kelurahan)
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


def test_the_export_holds_everything_about_the_person(
    resident: Any, rt: Any, make_member: Any
) -> None:
    services.person_view(actor=make_member(Role.KETUA_RT, rt), person=resident)

    export = services.person_data_export(actor=resident.user, person=resident)

    assert export["person"]["nik"] == NIK
    assert export["person"]["health_notes"] == "Diabetes tipe 2"
    assert {c["purpose"] for c in export["consents"]} == {"aid", "sensitive_data", "notifications"}
    assert len(export["data_accesses"]) == 1
    json.dumps(export)
    with pytest.raises(PermissionDenied):
        services.person_data_export(actor=make_member(Role.WARGA, rt), person=resident)


def test_a_correction_request_is_due_in_72_hours_and_goes_to_the_rt_queue(
    resident: Any, rt: Any, rt_same_rw: Any, make_member: Any
) -> None:
    request = services.data_request_submit(
        actor=resident.user,
        person=resident,
        kind="correction",
        details="Nama saya Siti Rahayu Putri",
    )
    head = make_member(Role.KETUA_RT, rt)
    other_head = make_member(Role.KETUA_RT, rt_same_rw)

    assert abs(request.due_at - request.created_at - dt.timedelta(hours=72)).total_seconds() < 1
    assert list(selectors.data_request_queue(kelurahan=rt.kelurahan, user=head)) == [request]
    assert not selectors.data_request_queue(kelurahan=rt.kelurahan, user=other_head).exists()
    with pytest.raises(PermissionDenied):
        services.data_request_resolve(actor=other_head, request=request, approve=True)

    services.data_request_resolve(
        actor=head, request=request, approve=True, changes={"full_name": "Siti Rahayu Putri"}
    )

    resident.refresh_from_db()
    assert resident.full_name == "Siti Rahayu Putri"
    assert DataRequest.objects.get(pk=request.pk).status == "done"


def test_an_unanswered_request_becomes_overdue(resident: Any, rt: Any) -> None:
    request = services.data_request_submit(actor=resident.user, person=resident, kind="erasure")
    DataRequest.objects.filter(pk=request.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )

    request.refresh_from_db()
    assert request.is_overdue
    assert selectors.data_request_overdue_count(kelurahan=rt.kelurahan) == 1


def test_erasure_wipes_personal_fields_and_the_log_still_verifies(
    resident: Any, rt: Any, make_member: Any
) -> None:
    operator = _officer(make_member, Role.OPERATOR, rt.kelurahan)
    services.person_view(actor=operator, person=resident)
    tree_head_publish(kelurahan=rt.kelurahan)
    request = services.data_request_submit(actor=resident.user, person=resident, kind="erasure")
    rt_head = make_member(Role.KETUA_RT, rt)
    with pytest.raises(PermissionDenied):
        services.data_request_resolve(actor=rt_head, request=request, approve=True)

    services.data_request_resolve(actor=operator, request=request, approve=True)
    tree_head_publish(kelurahan=rt.kelurahan)

    person = Person.objects.get(pk=resident.pk)
    assert person.status == "erased" and person.user is None
    assert (person.full_name, person.phone, person.birth_date, person.nik_ciphertext) == (
        "",
        "",
        None,
        "",
    )
    assert person.health_ciphertext == person.nik_index == ""
    assert services.person_pseudonym(person).startswith("W-")
    check = log_verify(kelurahan=rt.kelurahan)
    assert check.ok, check.problems
    assert LogEntry.objects.filter(subject=f"person:{person.pk}", type="person.erased").exists()
    bodies = " ".join(LogEntry.objects.values_list("body", flat=True))
    assert NIK not in bodies and "Siti" not in bodies and "Diabetes" not in bodies
