"""The monthly call-back sample (``services/callbacks.py``)."""

from typing import Any

import pytest
from django.utils import timezone

from gotong.core.exceptions import PermissionDenied
from gotong.funds import services
from gotong.funds.tests.factories import confirmed_donation
from gotong.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_only_an_operator_or_the_daily_task_draws_the_call_back_sample(
    money: Any, make_member: Any
) -> None:
    from gotong.accounts.models import Role
    from gotong.accounts.tests.factories import UserFactory
    from gotong.funds.models import Callback
    from gotong.funds.tests.factories import officer
    from gotong.registry.models import ConsentPurpose, Household

    household = Household.objects.create(kelurahan=money.kelurahan, rt=money.rt, size=2)
    household.head = PersonFactory(  # type: ignore[assignment]
        rt=money.rt,
        household=household,
        phone="+6281355550009",
        consents=[ConsentPurpose.AID, ConsentPurpose.NOTIFICATIONS],
    )
    household.save(update_fields=["head"])
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, 100_000, campaign=money.campaign
    )
    services.voucher_issue(
        actor=money.operator,
        source=money.campaign.account,
        category="sembako",
        value=50_000,
        count=1,
        rt=money.rt,
        household=household,
    )
    cycle = timezone.localdate().strftime("%Y-%m")
    auditor = officer(money.kelurahan, Role.AUDITOR, make_member)
    operator_by_code = make_member(Role.OPERATOR, money.kelurahan)  # no TOTP session
    refused = [money.seller, UserFactory(), auditor, operator_by_code]
    for actor in refused:
        with pytest.raises(PermissionDenied):
            services.callbacks_sample(actor=actor, kelurahan=money.kelurahan, cycle=cycle)
    assert not Callback.objects.exists()
    rows = services.callbacks_sample(actor=money.operator, kelurahan=money.kelurahan, cycle=cycle)
    assert len(rows) == 1 and rows[0].voucher is not None
    with pytest.raises(PermissionDenied):  # nor may they read the drawn sample back
        services.callbacks_sample(actor=auditor, kelurahan=money.kelurahan, cycle=cycle)
    again = services.callbacks_sample(actor=None, kelurahan=money.kelurahan, cycle=cycle)
    assert [c.pk for c in again] == [rows[0].pk]
