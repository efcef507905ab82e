"""Every consent purpose is checked by the service that uses its data (issue 13 item 11).

The table ``registry.consent.CONSENT_ENFORCED_BY`` names the service; this module has one
test per enforced purpose showing that the service refuses (or skips) without the consent.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.module_loading import import_string

from gotong.accounts.models import Role
from gotong.accounts.tests.factories import UserFactory
from gotong.activities.tests.factories import approved_need, elderly, plan, volunteer
from gotong.core.exceptions import Conflict, ValidationFailed
from gotong.needs import services as needs_services
from gotong.needs.models import Need
from gotong.needs.tests.factories import photo, resident, tomorrow
from gotong.registry import services as registry_services
from gotong.registry.consent import CONSENT_ENFORCED_BY
from gotong.registry.models import ConsentPurpose, Person
from gotong.territory.models import RT
from gotong.transparency.evidence_subjects import evidence_photos_public
from gotong.transparency.services import evidence_submit

pytestmark = pytest.mark.django_db

# Purposes no service uses yet; each must say why in the table's comment.
NOT_YET_USED = {ConsentPurpose.DTKS_SHARING}
TESTED_HERE = {
    ConsentPurpose.AID,
    ConsentPurpose.NOTIFICATIONS,
    ConsentPurpose.SENSITIVE_DATA,
    ConsentPurpose.PHOTOS,
    ConsentPurpose.MARKETPLACE,  # market/tests/services/test_orders_consent.py
}


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def test_every_purpose_names_its_enforcing_service_or_is_declared_unused() -> None:
    assert set(CONSENT_ENFORCED_BY) == set(ConsentPurpose.values)
    for purpose, path in CONSENT_ENFORCED_BY.items():
        if path is None:
            assert purpose in NOT_YET_USED, f"{purpose}: no service enforces it"
        else:
            assert callable(import_string(path)), path
            assert purpose in TESTED_HERE, f"{purpose}: enforced by {path} but not tested"


def _need(person: Person) -> Need:
    return needs_services.need_submit(
        actor=person.user,
        kelurahan=person.kelurahan,
        rt=person.rt,
        category="pangan",
        description="Butuh beras",
        urgency="sedang",
        needed_by=tomorrow(),
        beneficiary_person=person,
    )


def test_aid_a_need_for_a_person_who_withdrew_aid_consent_is_refused(rt: RT) -> None:
    person = resident(rt, consents=[ConsentPurpose.AID, ConsentPurpose.NOTIFICATIONS])
    _need(person)  # with the consent in force: raised
    registry_services.consent_withdraw(actor=person.user, person=person, purpose="aid")
    before = Need.objects.count()
    with pytest.raises(Conflict, match="consent") as refused:
        _need(person)
    assert refused.value.extra["purpose"] == "aid"
    assert Need.objects.count() == before


def test_notifications_are_not_sent_without_the_consent(rt: RT, outbox_dir: Any) -> None:
    person = resident(rt, consents=[ConsentPurpose.AID])
    sent = registry_services.person_notify(
        person=person, template="login_code", context={"code": "1", "minutes": 5}
    )
    assert sent is None


def test_sensitive_data_is_not_kept_without_the_consent(rt: RT) -> None:
    data = registry_services.PersonData(
        full_name="Warga Uji Sensitif",
        sex="F",
        birth_date=dt.date(1990, 1, 17),
        rt=rt,
        nik="3515015701900001",
    )
    with pytest.raises(ValidationFailed, match="sensitive data"):
        registry_services.person_register_self(
            actor=UserFactory(), kelurahan=rt.kelurahan, data=data, consents=[ConsentPurpose.AID]
        )
    assert not Person.objects.filter(full_name="Warga Uji Sensitif").exists()


def test_photos_a_need_photo_is_public_only_with_the_residents_photo_consent(
    rt: RT, make_member: Callable[..., Any]
) -> None:
    """The RT head photographs a delivery: the public sees it only while the resident it
    is for allows their face in evidence photos; the RT head and the resident always do."""
    person = resident(rt, consents=[ConsentPurpose.AID])
    rt_head = make_member(Role.KETUA_RT, rt)
    need = _need(person)
    evidence = evidence_submit(
        kelurahan=rt.kelurahan, uploader=rt_head, subject=f"need:{need.pk}", upload=photo()
    )
    page = f"/k/{rt.kelurahan.slug}/bukti/{evidence.code}/"
    public = Client()

    def photo_status(client: Client) -> int:
        return client.get(f"{page}foto.jpg").status_code

    assert photo_status(public) == 404
    html = public.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="photo-withheld"' in html and "foto.jpg" not in html
    for insider in (rt_head, person.user):
        client = Client()
        client.force_login(insider)
        assert photo_status(client) == 200

    registry_services.consent_grant(actor=person.user, person=person, purpose="photos")
    assert photo_status(public) == 200
    assert "foto.jpg" in public.get(page).content.decode()

    registry_services.consent_withdraw(actor=person.user, person=person, purpose="photos")
    assert photo_status(public) == 404


def test_photos_an_activity_photo_is_public_only_when_every_resident_served_allows_it(
    rt: RT, make_member: Callable[..., Any]
) -> None:
    """Kerja bakti (no need served) is public; an activity is public only when every
    resident (or every member of a household) it serves allows the photo."""
    rt_head, rw_head = make_member(Role.KETUA_RT, rt), make_member(Role.KETUA_RW, rt.rw)
    phones = iter(f"+62813999900{i:02d}" for i in range(10, 30))

    def need_for(*, allows: bool, household: bool = False) -> Need:
        person = elderly(rt, phone=next(phones))
        if allows:
            registry_services.consent_grant(
                actor=rt_head, person=person, purpose="photos", channel="rt_proxy"
            )
        if household:
            return approved_need(
                rt_head,
                rw_head,
                person,
                beneficiary_person=None,
                beneficiary_household=person.household,
            )
        return approved_need(rt_head, rw_head, person)

    driver = volunteer(rt)
    activities = {
        "allowing": [need_for(allows=True)],
        "household": [need_for(allows=True, household=True)],
        "refusing": [need_for(allows=False)],
        "mixed": [need_for(allows=True), need_for(allows=False)],
        "community": [],
    }
    subjects = {
        name: plan(rt, rw_head, driver, needs, purpose="Kerja bakti").subject
        for name, needs in activities.items()
    }
    public = evidence_photos_public(kelurahan=rt.kelurahan, subjects=list(subjects.values()))
    assert public == {subjects["allowing"], subjects["household"], subjects["community"]}
