"""Data-subject rights: the export, correction and erasure requests with their deadline,
erasure that keeps the public log verifiable."""

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.core.exceptions import PermissionDenied
from gotong.registry import selectors, services
from gotong.registry.models import DataRequest, Person
from gotong.registry.tests.factories import (
    RESIDENT_NIK,
    verified_officer,
)
from gotong.transparency.models import LogEntry
from gotong.transparency.selectors import log_verify
from gotong.transparency.services import tree_head_publish

pytestmark = pytest.mark.django_db


def test_the_export_holds_everything_about_the_person(
    resident: Any, rt: Any, make_member: Any
) -> None:
    services.person_view(actor=make_member(Role.KETUA_RT, rt), person=resident)

    export = services.person_data_export(actor=resident.user, person=resident)

    assert export["person"]["nik"] == RESIDENT_NIK
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
    operator = verified_officer(make_member, Role.OPERATOR, rt.kelurahan)
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
    assert RESIDENT_NIK not in bodies and "Siti" not in bodies and "Diabetes" not in bodies
