"""Shared builders for the officers' money pages tests (``/k/<slug>/bendahara/``)."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.test import Client

from gotong.accounts.models import Role
from gotong.accounts.tests.clients import client_for
from gotong.accounts.tests.factories import UserFactory
from gotong.funds import services
from gotong.funds.models import (
    Donation,
)
from gotong.funds.tests.factories import photo


def english_client(user: Any) -> Client:
    """A logged-in client that reads the pages in English (the msgids), so the checks do
    not depend on the Indonesian catalogue."""
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def bendahara_url(money: Any) -> str:
    return f"/k/{money.kelurahan.slug}/bendahara/"


def client_as(role: Role, money: Any, make_member: Callable[..., Any]) -> Client:
    """A client logged in with ``role`` (officers in a TOTP-verified session)."""
    unit = money.rt if role in (Role.WARGA, Role.KETUA_RT, Role.UMKM) else money.kelurahan
    if role == Role.KETUA_RW:
        unit = money.rt.rw
    return english_client(make_member(role, unit))


def donation_pending(money: Any, amount: int = 75_000, **fields: Any) -> Donation:
    values: dict[str, Any] = {"campaign": money.campaign}
    values.update(fields)
    return services.donation_create(
        kelurahan=money.kelurahan, donor=UserFactory(), amount=amount, **values
    )


def donation_recorded(money: Any, amount: int = 75_000) -> Donation:
    donation = donation_pending(money, amount)
    return services.donation_record(
        actor=money.treasurer,
        kelurahan=money.kelurahan,
        donation=donation,
        receipt=photo(),
        channel="bank",
    )


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
