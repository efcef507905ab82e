"""Fixtures of the market page tests."""

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from gotong.accounts.models import Role

from ... import services
from ..factories import Market


@pytest.fixture
def login(login: Any) -> Any:
    """Logged-in clients reading the pages in English (the messages' source text)."""

    def english_client(user: Any) -> Client:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return english_client


@pytest.fixture
def seller(world: Market, kelurahan: Any, make_member: Any) -> Any:
    """Sells for the vegetable UMKM (world.sayur)."""
    user = make_member(Role.UMKM, kelurahan)
    services.seller_add(actor=world.operator, organisation=world.sayur, user=user)
    return user
