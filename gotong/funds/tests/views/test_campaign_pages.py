"""Campaign and matching-pledge pages: opening, closing, RW-owned campaigns, bad forms."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.models import Role
from gotong.funds.models import (
    AccountKind,
    Campaign,
    MatchPledge,
)
from gotong.funds.tests.factories import csr
from gotong.funds.tests.views.pages import (
    bendahara_url,
    client_as,
    english_client,
    messages_of,
)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- campaigns


def _campaign_form(**fields: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "title": "Posyandu Sehat",
        "purpose": "Makanan tambahan untuk balita di posyandu RW 01.",
        "target_amount": "5.000.000",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
        "owner_kind": "kelurahan",
        "earmark_kind": "category",
        "earmark_category": "posyandu",
    }
    data.update(fields)
    return data


def test_an_operator_opens_an_earmarked_campaign_and_closes_it_once(money: Any) -> None:
    client = english_client(money.operator)

    response = client.post(bendahara_url(money) + "kampanye/baru/", _campaign_form())

    created = Campaign.objects.get(title="Posyandu Sehat")
    assert response.status_code == 302
    assert response["Location"] == f"/k/{money.kelurahan.slug}/donasi/{created.pk}/"
    assert (created.target_amount, created.earmark_category) == (5_000_000, "posyandu")
    assert created.account.kind == AccountKind.EARMARK
    close = bendahara_url(money) + f"kampanye/{created.pk}/tutup/"
    assert client.post(close).status_code == 302
    again = client.post(close, follow=True)
    assert "The campaign is already closed." in messages_of(again)
    created.refresh_from_db()
    assert created.status == "closed"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"ends_on": "2020-01-01"}, "The campaign ends before it starts."),
        ({"target_amount": "lima juta"}, "The amount must be a whole number of rupiah."),
        ({"target_amount": "0"}, "The amount must be more than zero."),
        ({"earmark_category": ""}, "Choose the category of the earmark."),
        ({"owner_kind": "rw"}, "Choose the RW that owns the campaign."),
    ],
)
def test_a_bad_campaign_form_shows_the_error_and_opens_nothing(
    money: Any, fields: dict[str, Any], error: str
) -> None:
    before = Campaign.objects.count()

    response = english_client(money.operator).post(
        bendahara_url(money) + "kampanye/baru/", _campaign_form(**fields)
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Campaign.objects.count() == before


def test_an_rw_head_opens_campaigns_only_for_their_own_rw(
    money: Any, make_member: Any, rt_other_rw: Any
) -> None:
    head = client_as(Role.KETUA_RW, money, make_member)
    url = bendahara_url(money) + "kampanye/baru/"

    for fields in ({}, {"owner_kind": "rw", "owner_rw": rt_other_rw.rw_id}):
        refused = head.post(url, _campaign_form(title="Bukan wilayahku", **fields))
        assert refused.status_code == 200
        assert "Your role does not allow this action in this area." in refused.content.decode()
    assert not Campaign.objects.filter(title="Bukan wilayahku").exists()

    own = head.post(
        url, _campaign_form(title="Kerja bakti RW 01", owner_kind="rw", owner_rw=money.rt.rw_id)
    )
    assert own.status_code == 302
    assert Campaign.objects.get(title="Kerja bakti RW 01").owner_rw_id == money.rt.rw_id


def test_a_treasurer_cannot_close_a_campaign(money: Any) -> None:
    response = english_client(money.treasurer).post(
        bendahara_url(money) + f"kampanye/{money.campaign.pk}/tutup/"
    )

    assert response.status_code == 403
    money.campaign.refresh_from_db()
    assert money.campaign.status == "active"


# --------------------------------------------------------------------------- pledges


def test_a_csr_matching_pledge_is_recorded_and_bad_caps_are_refused(money: Any) -> None:
    sponsor = csr(money.kelurahan)
    client = english_client(money.operator)
    form = {
        "campaign": money.campaign.pk,
        "sponsor": sponsor.pk,
        "ratio_numerator": 1,
        "ratio_denominator": 1,
        "cap": "0",
    }

    refused = client.post(bendahara_url(money) + "pencocokan/baru/", form)
    fraction = client.post(bendahara_url(money) + "pencocokan/baru/", {**form, "cap": "1000,5"})
    assert refused.status_code == fraction.status_code == 200
    assert "The amount must be more than zero." in refused.content.decode()
    assert "whole number" in fraction.content.decode()
    assert MatchPledge.objects.count() == 0

    made = client.post(
        bendahara_url(money) + "pencocokan/baru/",
        {**form, "cap": "2.000.000", "max_donation": "100000"},
    )
    assert made.status_code == 302
    pledge = MatchPledge.objects.get()
    assert (pledge.cap, pledge.max_donation, pledge.sponsor_id) == (2_000_000, 100_000, sponsor.pk)
    listing = client.get(bendahara_url(money) + "pencocokan/").content.decode()
    assert sponsor.name in listing and "Rp 2.000.000" in listing
