"""Fixtures shared by the registry service tests."""

from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.registry import services
from gotong.registry.models import ConsentPurpose, Person
from gotong.registry.tests.factories import RESIDENT_NIK, person_data


@pytest.fixture
def resident(rt: Any, make_member: Any) -> Person:
    """A resident registered by themselves with a NIK, health notes and three consents."""
    user = make_member(Role.WARGA, rt)
    return services.person_register_self(
        actor=user,
        kelurahan=rt.kelurahan,
        data=person_data(rt, nik=RESIDENT_NIK, health_notes="Diabetes tipe 2"),
        consents=[ConsentPurpose.AID, ConsentPurpose.SENSITIVE_DATA, ConsentPurpose.NOTIFICATIONS],
    )
