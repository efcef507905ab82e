"""Rupiah amounts on the funds pages: every box where a person types an amount reads
"50.000" as Rp 50.000 and refuses "50,5" (nothing saved); the amount typed before login
comes back after it; money raised reads "Terkumpul", not a need's "Diajukan"."""

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gotong.accounts.tests.clients import client_for
from gotong.accounts.tests.factories import UserFactory
from gotong.funds.models import Campaign, Donation, MatchPledge
from gotong.funds.tests.factories import csr, photo

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _page(money: Any) -> str:
    return f"/k/{money.kelurahan.slug}/donasi/{money.campaign.pk}/"


def test_a_donation_typed_with_dots_is_saved_and_a_comma_is_refused(money: Any) -> None:
    client = _client(UserFactory())

    refused = client.post(_page(money), {"amount": "50,5"})
    assert refused.status_code == 200 and "whole rupiah" in refused.content.decode()
    assert Donation.objects.count() == 0

    given = client.post(_page(money), {"amount": "50.000"})
    assert given.status_code == 302
    assert Donation.objects.get().amount == 50_000


def test_a_campaign_target_typed_with_dots_is_saved_and_a_comma_is_refused(money: Any) -> None:
    client = _client(money.operator)
    url = f"/k/{money.kelurahan.slug}/bendahara/kampanye/baru/"
    today = timezone.localdate()
    data = {
        "title": "Sumur RW 01",
        "purpose": "Sumur bor untuk RW 01.",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=10)).isoformat(),
        "owner_kind": "kelurahan",
    }

    refused = client.post(url, {**data, "target_amount": "50,5"})
    assert refused.status_code == 200
    assert "The amount must be a whole number of rupiah." in refused.content.decode()
    assert not Campaign.objects.filter(title="Sumur RW 01").exists()

    assert client.post(url, {**data, "target_amount": "50.000"}).status_code == 302
    assert Campaign.objects.get(title="Sumur RW 01").target_amount == 50_000


def test_a_pledge_typed_with_dots_is_saved_and_a_comma_is_refused(money: Any) -> None:
    client = _client(money.operator)
    url = f"/k/{money.kelurahan.slug}/bendahara/pencocokan/baru/"
    data = {
        "campaign": money.campaign.pk,
        "sponsor": csr(money.kelurahan).pk,
        "ratio_numerator": 1,
        "ratio_denominator": 1,
    }

    for bad in ({"cap": "50,5"}, {"cap": "50.000", "max_donation": "50,5"}):
        assert client.post(url, {**data, **bad}).status_code == 200
    assert MatchPledge.objects.count() == 0

    made = client.post(url, {**data, "cap": "50.000", "max_donation": "Rp 10.000"})
    assert made.status_code == 302
    assert (MatchPledge.objects.get().cap, MatchPledge.objects.get().max_donation) == (
        50_000,
        10_000,
    )


def test_money_received_typed_with_dots_is_recorded_and_a_comma_is_refused(money: Any) -> None:
    client = _client(money.treasurer)
    url = f"/k/{money.kelurahan.slug}/bendahara/donasi/catat/"
    data = {"channel": "cash", "target": "aid_fund"}

    refused = client.post(url, {**data, "amount": "50,5", "receipt": photo(serial=1)})
    assert refused.status_code == 200 and Donation.objects.count() == 0

    saved = client.post(url, {**data, "amount": "50.000", "receipt": photo(serial=2)})
    assert saved.status_code == 302
    assert Donation.objects.get().amount == 50_000


# --------------------------------------------------------------------------- before login


def test_the_amount_typed_before_login_comes_back_after_it(money: Any) -> None:
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    sent = visitor.post(_page(money), {"amount": "50.000"})

    assert sent.status_code == 302
    login = urlsplit(sent["Location"])
    assert login.path == "/masuk/"
    assert parse_qs(login.query)["next"] == [f"{_page(money)}?amount=50000"]
    assert Donation.objects.count() == 0
    # The login link on the page carries it too, once the amount is in the address.
    shown = visitor.get(f"{_page(money)}?amount=50000").content.decode()
    assert "/masuk/?next=" in shown and "amount%3D50000" in shown
    # After login the form is filled in with it.
    page = _client(UserFactory()).get(f"{_page(money)}?amount=50000")
    assert page.context["form"]["amount"].value() == 50_000
    assert 'value="50.000"' in page.content.decode()


def test_an_amount_the_page_cannot_read_is_not_carried_or_filled_in(money: Any) -> None:
    sent = Client().post(_page(money), {"amount": "50,5"})

    assert parse_qs(urlsplit(sent["Location"]).query)["next"] == [_page(money)]
    page = _client(UserFactory()).get(f"{_page(money)}?amount=lima")
    assert page.context["form"]["amount"].value() is None


# --------------------------------------------------------------------------- words


def test_money_raised_reads_terkumpul_on_the_campaign_pages(money: Any) -> None:
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"

    for url in (_page(money), f"/k/{money.kelurahan.slug}/donasi/"):
        page = visitor.get(url).content.decode()
        assert "Terkumpul" in page, url
        assert "Diajukan" not in page, url
