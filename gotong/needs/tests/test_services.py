"""Raising needs and moving them through the one transition table."""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from gotong.needs import services
from gotong.needs.models import Escalation, Need, RaisedVia, Status
from gotong.needs.tests.factories import photo, resident, tomorrow
from gotong.territory.models import RT
from gotong.territory.tests.factories import RTFactory, RWFactory
from gotong.transparency.models import LogEntry
from gotong.transparency.selectors import log_verify
from gotong.transparency.services import evidence_upload

pytestmark = pytest.mark.django_db


def submit(actor: Any, person: Any, **overrides: Any) -> Need:
    fields: dict[str, Any] = {
        "actor": actor,
        "kelurahan": person.kelurahan,
        "rt": person.rt,
        "category": "pangan",
        "description": "Butuh paket sembako untuk seminggu",
        "urgency": "tinggi",
        "needed_by": tomorrow(),
        "beneficiary_person": person,
        "quantity": 3,
    }
    fields.update(overrides)
    return services.need_submit(**fields)


@pytest.fixture
def people(rt: RT, make_member: Callable[..., Any]) -> dict[str, Any]:
    return {
        "warga": resident(rt),
        "rt_head": make_member(Role.KETUA_RT, rt),
        "rw_head": make_member(Role.KETUA_RW, rt.rw),
        "operator": verified(make_member(Role.OPERATOR, rt.kelurahan)),
    }


def verified(user: Any) -> Any:
    user.is_verified = lambda: True
    return user


def test_a_resident_raises_a_need_for_themselves(people: dict[str, Any], rt: RT) -> None:
    warga = people["warga"]
    need = submit(warga.user, warga)
    assert need.status == Status.SUBMITTED and need.raised_via == RaisedVia.SELF
    assert need.beneficiary_household == warga.household
    entry = json.loads(LogEntry.objects.get(subject=f"need:{need.pk}").body)
    assert entry["type"] == "need.submitted" and entry["actor"].startswith("warga:")
    assert "Butuh" not in json.dumps(entry)  # the description is not public
    assert need.events.get().to_status == Status.SUBMITTED


def test_a_resident_cannot_raise_a_need_for_a_neighbour(people: dict[str, Any], rt: RT) -> None:
    neighbour = resident(rt)
    with pytest.raises(PermissionDenied):
        submit(people["warga"].user, neighbour)
    assert not Need.objects.exists()


def test_the_rt_head_raises_a_need_as_proxy(people: dict[str, Any]) -> None:
    need = submit(people["rt_head"], people["warga"], raised_via=RaisedVia.RT_PROXY)
    assert need.raised_by == people["rt_head"]
    assert json.loads(LogEntry.objects.get(subject=f"need:{need.pk}").body)["actor"].startswith(
        "ketua_rt:"
    )


def test_a_kiosk_needs_the_signed_consent_photo(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        submit(people["operator"], people["warga"], raised_via=RaisedVia.KIOSK)
    assert exc.value.extra["field"] == "consent_evidence"
    need = submit(
        people["operator"],
        people["warga"],
        raised_via=RaisedVia.KIOSK,
        consent_evidence=photo("persetujuan.png"),
    )
    assert need.consent_evidence.name


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"needed_by": timezone.now() - dt.timedelta(hours=1)}, "needed_by"),
        ({"description": "tolong"}, "description"),
        ({"category": "senjata"}, "category"),
        ({"urgency": "kapan2"}, "urgency"),
        ({"quantity": 0}, "quantity"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    people: dict[str, Any], override: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        submit(people["warga"].user, people["warga"], **override)
    assert exc.value.extra["field"] == field
    assert not Need.objects.exists() and not LogEntry.objects.filter(type="need.submitted").exists()


def test_an_rt_of_another_kelurahan_is_refused(
    people: dict[str, Any], other_kelurahan: Any
) -> None:
    foreign_rt = RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=1), number=1)
    with pytest.raises(ValidationFailed):
        submit(people["warga"].user, people["warga"], rt=foreign_rt)
    assert not Need.objects.exists()


def test_a_second_open_need_of_the_household_needs_the_rt_head(people: dict[str, Any]) -> None:
    first = submit(people["warga"].user, people["warga"])
    with pytest.raises(Conflict) as exc:
        submit(people["warga"].user, people["warga"])
    assert exc.value.extra["duplicate_of"] == first.pk
    with pytest.raises(PermissionDenied):
        submit(people["warga"].user, people["warga"], duplicate_override_reason="lagi")
    second = submit(
        people["rt_head"],
        people["warga"],
        raised_via=RaisedVia.RT_PROXY,
        duplicate_override_reason="Anggota keluarga kedua juga sakit",
    )
    assert second.duplicate_override_reason
    assert Need.objects.count() == 2


def test_the_happy_path_and_every_step_in_the_log(people: dict[str, Any]) -> None:
    need = submit(people["warga"].user, people["warga"])
    services.need_verify(actor=people["rt_head"], need=need)
    services.need_approve(actor=people["rw_head"], need=need)
    services.need_transition(actor=people["operator"], need=need, to=Status.MATCHED)
    services.need_transition(actor=people["rt_head"], need=need, to=Status.IN_PROGRESS)
    with pytest.raises(ValidationFailed) as exc:
        services.need_deliver(actor=people["rt_head"], need=need)
    assert exc.value.extra["field"] == "evidence"
    evidence_upload(
        kelurahan=need.kelurahan,
        uploader=people["rt_head"],
        subject=f"need:{need.pk}",
        upload=photo(),
    )
    need = services.need_deliver(actor=people["rt_head"], need=need)
    assert need.quantity_delivered == 3 and need.delivered_at is not None
    need = services.need_confirm(actor=people["warga"].user, need=need)
    assert need.status == Status.CONFIRMED
    types = list(
        LogEntry.objects.filter(subject=f"need:{need.pk}")
        .order_by("index")
        .values_list("type", flat=True)
    )
    assert types == [
        "need.submitted",
        "need.verified",
        "need.approved",
        "need.matched",
        "need.in_progress",
        "evidence.recorded",
        "need.delivered",
        "need.confirmed",
    ]
    assert [e.to_status for e in need.events.all()][-1] == Status.CONFIRMED
    assert log_verify(kelurahan=need.kelurahan).ok


def test_illegal_steps_are_refused_with_a_clear_message(people: dict[str, Any]) -> None:
    need = submit(people["warga"].user, people["warga"])
    with pytest.raises(Conflict) as exc:
        services.need_approve(actor=people["rw_head"], need=need)
    assert "cannot become" in str(exc.value.message) or "tidak" in str(exc.value.message)
    with pytest.raises(PermissionDenied):
        services.need_transition(actor=None, need=need, to=Status.VERIFIED)
    with pytest.raises(Conflict):  # an unknown status is refused, not a crash
        services.need_transition(actor=people["rt_head"], need=need, to="bogus")
    need.refresh_from_db()
    assert need.status == Status.SUBMITTED


def test_roles_act_only_in_their_territory(
    people: dict[str, Any], rt_same_rw: RT, rt_other_rw: RT, make_member: Callable[..., Any]
) -> None:
    need = submit(people["warga"].user, people["warga"])
    with pytest.raises(PermissionDenied):
        services.need_verify(actor=make_member(Role.KETUA_RT, rt_same_rw), need=need)
    with pytest.raises(PermissionDenied):
        services.need_verify(actor=people["warga"].user, need=need)
    services.need_verify(actor=people["rt_head"], need=need)
    with pytest.raises(PermissionDenied):
        services.need_approve(actor=make_member(Role.KETUA_RW, rt_other_rw.rw), need=need)
    need.refresh_from_db()
    assert need.status == Status.VERIFIED


def test_rejection_needs_a_reason(people: dict[str, Any]) -> None:
    need = submit(people["warga"].user, people["warga"])
    with pytest.raises(ValidationFailed):
        services.need_reject(actor=people["rt_head"], need=need, reason="  ")
    need = services.need_reject(actor=people["rt_head"], need=need, reason="Sudah dibantu PKK")
    assert need.status == Status.REJECTED and need.events.last().reason == "Sudah dibantu PKK"


def test_the_raiser_may_cancel_their_own_need(people: dict[str, Any]) -> None:
    need = submit(people["warga"].user, people["warga"])
    need = services.need_cancel(actor=people["warga"].user, need=need, reason="Sudah ada bantuan")
    assert need.status == Status.CANCELLED


def test_escalated_needs_are_decided_by_the_kelurahan(people: dict[str, Any]) -> None:
    need = submit(people["warga"].user, people["warga"])
    services.need_escalate(actor=people["rt_head"], need=need, reason="Butuh dana kelurahan")
    with pytest.raises(PermissionDenied):
        services.need_approve(actor=people["rw_head"], need=need)
    assert services.need_approve(actor=people["operator"], need=need).status == Status.APPROVED


def test_partial_fulfilment_is_tracked(people: dict[str, Any]) -> None:
    need = submit(people["warga"].user, people["warga"])
    need = services.need_quantities_set(
        actor=people["rt_head"], need=need, committed=1, in_transit=0, delivered=2
    )
    assert (need.quantity_committed, need.quantity_delivered) == (1, 2)
    with pytest.raises(ValidationFailed):
        services.need_quantities_set(
            actor=people["rt_head"], need=need, committed=2, in_transit=1, delivered=2
        )
    need.refresh_from_db()
    assert need.quantity_delivered == 2


def test_overdue_needs_escalate_once_per_level(people: dict[str, Any]) -> None:
    need = submit(people["warga"].user, people["warga"])  # high urgency: 48 h target
    later = need.created_at + dt.timedelta(hours=30)
    assert services.needs_escalate_overdue(kelurahan=need.kelurahan, now=later) == 1
    assert services.needs_escalate_overdue(kelurahan=need.kelurahan, now=later) == 0
    much_later = need.created_at + dt.timedelta(hours=49)
    assert services.needs_escalate_overdue(kelurahan=need.kelurahan, now=much_later) == 1
    assert list(Escalation.objects.values_list("level", flat=True)) == [50, 100]


def test_a_recurring_need_reopens_after_delivery(people: dict[str, Any]) -> None:
    need = submit(people["warga"].user, people["warga"], recurrence_days=7)
    for actor, to in [
        (people["rt_head"], Status.VERIFIED),
        (people["rw_head"], Status.APPROVED),
        (people["operator"], Status.MATCHED),
        (people["rt_head"], Status.IN_PROGRESS),
    ]:
        services.need_transition(actor=actor, need=need, to=to)
    evidence_upload(
        kelurahan=need.kelurahan,
        uploader=people["rt_head"],
        subject=f"need:{need.pk}",
        upload=photo(),
    )
    need = services.need_deliver(actor=people["rt_head"], need=need)
    assert services.needs_reopen_due(kelurahan=need.kelurahan) == []
    reopened = services.needs_reopen_due(
        kelurahan=need.kelurahan, now=timezone.now() + dt.timedelta(days=8)
    )
    assert len(reopened) == 1 and reopened[0].parent == need
    assert reopened[0].status == Status.APPROVED
    assert (
        services.needs_reopen_due(
            kelurahan=need.kelurahan, now=timezone.now() + dt.timedelta(days=8)
        )
        == []
    )


def test_an_oversize_consent_photo_is_refused(people: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "MAX_CONSENT_PHOTO_BYTES", 10)
    with pytest.raises(ValidationFailed):
        submit(
            people["operator"],
            people["warga"],
            raised_via=RaisedVia.KIOSK,
            consent_evidence=SimpleUploadedFile("f.png", b"x" * 100),
        )
    assert not Need.objects.exists()


def test_a_resident_without_a_household_cannot_ask_twice_for_the_same_thing(rt: RT) -> None:
    """Self-registered residents have no household: the person is the duplicate key."""
    person = resident(rt)
    person.household = None
    person.save(update_fields=["household"])
    first = services.need_submit(
        actor=person.user,
        kelurahan=rt.kelurahan,
        rt=rt,
        category="kesehatan",
        description="Butuh obat tekanan darah",
        urgency="sedang",
        needed_by=tomorrow(),
        beneficiary_person=person,
    )
    assert first.beneficiary_household is None
    with pytest.raises(Conflict) as refused:
        services.need_submit(
            actor=person.user,
            kelurahan=rt.kelurahan,
            rt=rt,
            category="kesehatan",
            description="Butuh obat tekanan darah lagi",
            urgency="sedang",
            needed_by=tomorrow(),
            beneficiary_person=person,
        )
    assert refused.value.extra["duplicate_of"] == first.pk
    assert Need.objects.count() == 1


def test_quantities_cannot_change_on_a_rejected_or_cancelled_need(
    people: dict[str, Any],
) -> None:
    rejected = submit(people["warga"].user, people["warga"])
    services.need_reject(actor=people["rt_head"], need=rejected, reason="Sudah dibantu")
    cancelled = submit(people["warga"].user, people["warga"])
    services.need_cancel(actor=people["warga"].user, need=cancelled, reason="Tidak jadi")
    for need in (rejected, cancelled):
        with pytest.raises(Conflict):
            services.need_quantities_set(
                actor=people["rt_head"], need=need, committed=1, in_transit=1, delivered=1
            )
        need.refresh_from_db()
        assert (need.quantity_committed, need.quantity_in_transit, need.quantity_delivered) == (
            0,
            0,
            0,
        )


def test_quantities_cannot_change_on_a_closed_need_even_if_it_closed_meanwhile(
    people: dict[str, Any],
) -> None:
    need = submit(people["warga"].user, people["warga"])
    Need.objects.filter(pk=need.pk).update(status=Status.CLOSED)  # closed by another request
    with pytest.raises(Conflict):
        services.need_quantities_set(
            actor=people["rt_head"], need=need, committed=1, in_transit=0, delivered=2
        )
    assert Need.objects.get(pk=need.pk).quantity_delivered == 0


def test_a_photo_from_another_rts_head_does_not_prove_delivery(
    people: dict[str, Any], rt: RT, make_member: Callable[..., Any]
) -> None:
    need = submit(people["warga"].user, people["warga"])
    services.need_verify(actor=people["rt_head"], need=need)
    services.need_approve(actor=people["rw_head"], need=need)
    services.need_transition(actor=people["operator"], need=need, to=Status.MATCHED)
    services.need_transition(actor=people["rt_head"], need=need, to=Status.IN_PROGRESS)
    other_rt = RTFactory(rw=RWFactory(kelurahan=rt.kelurahan, number=9), number=3)
    outsider = make_member(Role.KETUA_RT, other_rt)
    # straight through the transparency service, as anyone with the upload role can
    evidence_upload(
        kelurahan=need.kelurahan, uploader=outsider, subject=f"need:{need.pk}", upload=photo()
    )
    with pytest.raises(ValidationFailed, match="need's RT|RT permintaan ini") as refused:
        services.need_deliver(actor=people["rt_head"], need=need)
    assert refused.value.extra["field"] == "evidence"
    need.refresh_from_db()
    assert need.status == Status.IN_PROGRESS
    evidence_upload(
        kelurahan=need.kelurahan,
        uploader=people["rt_head"],
        subject=f"need:{need.pk}",
        upload=photo(colour="blue"),
    )
    assert services.need_deliver(actor=people["rt_head"], need=need).status == Status.DELIVERED
