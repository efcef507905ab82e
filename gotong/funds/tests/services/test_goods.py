"""In-kind goods in, out to an activity and counted (``services/goods.py``)."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.core.exceptions import ValidationFailed
from gotong.funds import selectors, services
from gotong.funds.models import (
    AccountKind,
)
from gotong.funds.tests.factories import photo

pytestmark = pytest.mark.django_db


def test_in_kind_goods_go_in_out_to_an_activity_and_are_counted(money: Any) -> None:
    from gotong.activities.models import Activity
    from gotong.transparency.services import evidence_upload

    donation = services.donation_record(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        receipt=photo(),
        target="campaign",
        campaign=money.campaign,
        amount=600_000,
        kind="in_kind",
        goods_name="Beras 5 kg",
        goods_unit="karung",
        goods_quantity=10,
        goods_category="sembako",
        goods_expires_on=timezone.localdate() + dt.timedelta(days=90),
    )
    services.donation_confirm(actor=money.admin, donation=donation)
    item = selectors.goods_list(kelurahan=money.kelurahan).get()
    assert item.quantity == 10 and item.unit_value == 60_000
    activity = Activity.objects.create(
        kelurahan=money.kelurahan,
        rt=money.rt,
        kind="delivery",
        title="Antar beras",
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=2),
        created_by=money.operator,
        coordinator=money.operator,
    )
    with pytest.raises(ValidationFailed):  # no evidence of the activity yet
        services.goods_issue(actor=money.operator, item=item, quantity=4, activity_id=activity.pk)
    evidence_upload(
        kelurahan=money.kelurahan,
        uploader=money.operator,
        subject=f"activity:{activity.pk}",
        upload=photo(),
    )
    services.goods_issue(actor=money.operator, item=item, quantity=4, activity_id=activity.pk)
    with pytest.raises(ValidationFailed):
        services.goods_issue(actor=money.operator, item=item, quantity=7, activity_id=activity.pk)
    assert activity.resources.get().external_id == f"goods:{item.pk}"
    count = services.stock_count(actor=money.operator, item=item, counted=5, note="1 rusak")
    assert count.quantity == -1
    lines = selectors.goods_summary(kelurahan=money.kelurahan)
    assert (lines[0].quantity_in, lines[0].quantity_out, lines[0].in_stock) == (10, 4, 5)
    assert selectors.ledger_reconcile(kelurahan=money.kelurahan).balanced
    store = services.accounts_ensure(kelurahan=money.kelurahan)[AccountKind.IN_KIND]
    assert selectors.account_balance(account=store) == 5 * 60_000
