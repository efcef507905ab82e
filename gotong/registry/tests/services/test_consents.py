"""Consent per purpose: withdrawing stops what depended on it; only the person withdraws."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.core.exceptions import PermissionDenied
from gotong.registry import services
from gotong.transparency.models import LogEntry

pytestmark = pytest.mark.django_db


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
