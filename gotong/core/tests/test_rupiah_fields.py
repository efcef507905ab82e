"""Every box where a person types a Rupiah amount reads "50.000" and "Rp 50.000" as
50000 and refuses "50,5" (funds and market forms; the page tests live with each app)."""

import pytest
from django import forms

from gotong.funds import forms as funds_forms
from gotong.market import forms as market_forms

AMOUNT_FIELDS = [
    (funds_forms.DonateForm, "amount"),
    (funds_forms.RedeemForm, "amount"),
    (funds_forms.CampaignForm, "target_amount"),
    (funds_forms.PledgeForm, "cap"),
    (funds_forms.PledgeForm, "max_donation"),
    (funds_forms.RecordForm, "amount"),
    (funds_forms.VoucherIssueForm, "value"),
    (funds_forms.SettlementForm, "amount"),
    (funds_forms.GoodsInForm, "amount"),
    (funds_forms.DisbursementForm, "amount"),
    (market_forms.ProductForm, "price"),
    (market_forms.ComponentForm, "share"),
    (market_forms.BundleForm, "price"),
    (market_forms.SettingsForm, "delivery_fee"),
    (market_forms.DropoffForm, "cash_collected"),
]


@pytest.mark.parametrize(("form", "name"), AMOUNT_FIELDS)
def test_every_amount_box_reads_rupiah_the_indonesian_way(
    form: type[forms.Form], name: str
) -> None:
    field = form.base_fields[name]

    assert field.clean("50.000") == 50_000
    assert field.clean("Rp 50.000") == 50_000
    with pytest.raises(forms.ValidationError):
        field.clean("50,5")
