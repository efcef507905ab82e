"""Every consent purpose is checked by the service that uses its data (issue 13 item 11).

The table ``registry.consent.CONSENT_ENFORCED_BY`` names the service; this module has one
test per enforced purpose showing that the service refuses (or skips) without the consent.
"""

import datetime as dt
from typing import Any

import pytest
from django.utils import translation
from django.utils.module_loading import import_string

from gotong.accounts.tests.factories import UserFactory
from gotong.core.exceptions import Conflict, ValidationFailed
from gotong.needs import services as needs_services
from gotong.needs.models import Need
from gotong.needs.tests.factories import resident, tomorrow
from gotong.registry import services as registry_services
from gotong.registry.consent import CONSENT_ENFORCED_BY
from gotong.registry.models import ConsentPurpose, Person
from gotong.territory.models import RT

pytestmark = pytest.mark.django_db

# Purposes no service uses yet; each must say why in the table's comment.
NOT_YET_USED = {ConsentPurpose.DTKS_SHARING, ConsentPurpose.PHOTOS}
TESTED_HERE = {
    ConsentPurpose.AID,
    ConsentPurpose.NOTIFICATIONS,
    ConsentPurpose.SENSITIVE_DATA,
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
