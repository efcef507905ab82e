"""Money in: recording cash and bank donations with a receipt, the confirm queue (a second
officer confirms once), cancelling, double taps that save nothing."""

from typing import Any

import pytest
from django.test import Client

from gotong.funds.models import (
    Donation,
    Transfer,
    TransferKind,
)
from gotong.funds.tests.factories import photo
from gotong.funds.tests.views.pages import (
    bendahara_url,
    donation_pending,
    donation_recorded,
    english_client,
    messages_of,
)
from gotong.transparency.models import Evidence

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- money in


def test_the_treasurer_records_cash_with_a_receipt_photo(money: Any) -> None:
    client = english_client(money.treasurer)

    response = client.post(
        bendahara_url(money) + "donasi/catat/",
        {
            "channel": "cash",
            "amount": "250.000",
            "target": "campaign",
            "campaign": money.campaign.pk,
            "public_name": "Warung Bu Sri",
            "receipt": photo(),
        },
    )

    assert response.status_code == 302 and response["Location"].endswith("/bendahara/antrian/")
    donation = Donation.objects.get()
    assert (donation.amount, donation.channel, donation.status) == (250_000, "cash", "recorded")
    assert donation.receipt_code and donation.recorded_by_id == money.treasurer.pk
    assert Transfer.objects.count() == 0  # nothing counts before it is confirmed


def test_a_double_tap_on_record_shows_the_first_donation_and_saves_nothing(money: Any) -> None:
    client = english_client(money.treasurer)
    form = {
        "channel": "cash",
        "amount": "250.000",
        "target": "aid_fund",
        "public_name": "Warung Bu Sri",
    }
    first = client.post(
        bendahara_url(money) + "donasi/catat/", {**form, "receipt": photo(serial=7)}
    )
    assert first.status_code == 302
    donation = Donation.objects.get()

    again = client.post(
        bendahara_url(money) + "donasi/catat/", {**form, "receipt": photo(serial=7)}
    )

    assert again.status_code == 200
    assert (
        f"This receipt photo was already used for donation {donation.payment_reference}."
        in again.content.decode()
    )
    assert Donation.objects.count() == 1 and Evidence.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"receipt": None}, "This field is required."),
        ({"amount": "0"}, "The amount must be more than zero."),
        ({"amount": "100,5"}, "The amount must be a whole number of rupiah."),
        ({"amount": "-5000"}, "The amount must be a whole number of rupiah."),
        ({"campaign": ""}, "Choose the campaign."),
    ],
)
def test_a_bad_record_shows_the_error_and_records_nothing(
    money: Any, fields: dict[str, Any], error: str
) -> None:
    data: dict[str, Any] = {
        "channel": "bank",
        "amount": "100000",
        "target": "campaign",
        "campaign": money.campaign.pk,
        "receipt": photo(),
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}

    response = english_client(money.treasurer).post(bendahara_url(money) + "donasi/catat/", data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Donation.objects.count() == 0 and Evidence.objects.count() == 0


def test_recording_a_pending_donation_by_its_reference_checks_the_amount(money: Any) -> None:
    donation = donation_pending(money, 80_000)
    client = english_client(money.treasurer)
    url = bendahara_url(money) + "donasi/catat/"
    base = {"reference": donation.payment_reference, "channel": "bank", "target": "aid_fund"}

    assert client.get(f"{url}?ref={donation.payment_reference}").status_code == 200
    wrong = client.post(url, {**base, "amount": "70000", "receipt": photo()})
    unknown = client.post(url, {**base, "reference": "GR-ZZZZZZ", "receipt": photo()})
    assert "The amount received differs from the donation (Rp 80.000)." in wrong.content.decode()
    assert "No donation with this reference in this kelurahan." in unknown.content.decode()
    donation.refresh_from_db()
    assert donation.status == "pending" and Evidence.objects.count() == 0

    assert client.post(url, {**base, "amount": "80.000", "receipt": photo()}).status_code == 302
    donation.refresh_from_db()
    assert donation.status == "recorded" and donation.channel == "bank"


def test_a_second_officer_confirms_once_and_a_second_confirm_changes_nothing(
    money: Any,
) -> None:
    donation = donation_recorded(money, 120_000)
    url = bendahara_url(money) + f"donasi/{donation.pk}/konfirmasi/"

    own = english_client(money.treasurer).post(url, {"status": "recorded"}, follow=True)
    assert "Another officer must confirm what you recorded yourself." in messages_of(own)
    assert Transfer.objects.count() == 0

    admin = english_client(money.admin)
    first = admin.post(url, {"status": "recorded", "page": "1"})
    assert first.status_code == 302 and "status=recorded" in first["Location"]
    second = admin.post(url, {"status": "recorded"}, follow=True)
    assert "This donation was already confirmed." in messages_of(second)
    donation.refresh_from_db()
    assert donation.status == "confirmed"
    assert Transfer.objects.filter(kind=TransferKind.DONATION).count() == 1
    assert donation.transfer is not None and donation.transfer.amount == 120_000


def test_the_queue_pages_and_hides_the_button_from_the_recorder(money: Any) -> None:
    for _ in range(31):
        donation_pending(money, 10_000)
    mine = donation_recorded(money)
    admin, treasurer = english_client(money.admin), english_client(money.treasurer)
    url = bendahara_url(money) + "antrian/"

    first = admin.get(url + "?status=pending").content.decode()
    second = admin.get(url + "?status=pending&page=2").content.decode()
    assert first.count("Cancel (never paid)") == 30 and second.count("Cancel (never paid)") == 1
    assert "Page 1 of 2" in first and "status=pending&amp;page=2" in first
    assert f"donasi/{mine.pk}/konfirmasi/" in admin.get(url).content.decode()
    own = treasurer.get(url).content.decode()
    assert f"donasi/{mine.pk}/konfirmasi/" not in own
    assert "You recorded this one: another officer confirms it." in own


def test_cancelling_a_pending_donation_works_once(money: Any) -> None:
    donation = donation_pending(money)
    recorded = donation_recorded(money)
    client = english_client(money.treasurer)

    assert client.post(bendahara_url(money) + f"donasi/{donation.pk}/batal/").status_code == 302
    again = client.post(bendahara_url(money) + f"donasi/{donation.pk}/batal/", follow=True)
    late = client.post(bendahara_url(money) + f"donasi/{recorded.pk}/batal/", follow=True)
    msg = "Only a donation still waiting for payment can be cancelled."
    assert msg in messages_of(again) and msg in messages_of(late)
    donation.refresh_from_db()
    recorded.refresh_from_db()
    assert (donation.status, recorded.status) == ("cancelled", "recorded")


def test_an_operator_cannot_confirm_and_visitors_are_sent_to_log_in(money: Any) -> None:
    donation = donation_recorded(money)
    url = bendahara_url(money) + f"donasi/{donation.pk}/konfirmasi/"

    assert english_client(money.operator).post(url).status_code == 403
    visitor = Client().post(url)
    assert visitor.status_code == 302 and visitor["Location"].startswith("/masuk/")
    donation.refresh_from_db()
    assert donation.status == "recorded"
