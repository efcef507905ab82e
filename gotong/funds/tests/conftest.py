"""A kelurahan with a treasurer, an admin (second officer), an operator, a lurah, a campaign
and an enrolled UMKM, built through the services."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.funds.models import Campaign, VoucherMerchant
from gotong.funds.tests.factories import campaign, officer, umkm
from gotong.territory.models import RT, Kelurahan


@dataclass
class Money:
    kelurahan: Kelurahan
    rt: RT
    treasurer: Any
    admin: Any
    operator: Any
    lurah: Any
    campaign: Campaign
    merchant: VoucherMerchant
    seller: Any


@pytest.fixture
def money(rt: RT, make_member: Callable[..., Any]) -> Money:
    kelurahan = rt.kelurahan
    operator = officer(kelurahan, Role.OPERATOR, make_member)
    merchant, seller = umkm(rt, operator=operator)
    return Money(
        kelurahan=kelurahan,
        rt=rt,
        treasurer=officer(kelurahan, Role.BENDAHARA, make_member),
        admin=officer(kelurahan, Role.ADMIN, make_member),
        operator=operator,
        lurah=officer(kelurahan, Role.LURAH, make_member),
        campaign=campaign(operator, kelurahan),
        merchant=merchant,
        seller=seller,
    )


@pytest.fixture(autouse=True)
def english() -> Any:
    """Service messages are matched in English (the source language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
