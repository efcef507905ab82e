from collections.abc import Callable
from typing import Any

import pytest

from gotong.accounts.models import Role

from .factories import Market, Officers, market


@pytest.fixture
def world(kelurahan: Any, rt: Any, make_member: Any) -> Market:
    return market(kelurahan, rt, make_member)


@pytest.fixture
def resident(rt: Any, make_member: Any) -> Callable[[], Any]:
    return lambda: make_member(Role.WARGA, rt)


@pytest.fixture(autouse=True)
def english() -> Any:
    """Service tests match refusals by their English source text."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def officers(kelurahan: Any, make_member: Any) -> Officers:
    return Officers(kelurahan, make_member)
