"""Data-key rotation re-encrypts every Tier-2 column under the newest key."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command

from gotong.core.crypto import data_key_current_version
from gotong.registry import services
from gotong.registry.tests.factories import PersonFactory, nik_for

pytestmark = pytest.mark.django_db

NIK = nik_for(dt.date(1990, 6, 1), "M", 55)


def test_rotate_data_keys_re_encrypts_to_the_newest_version(rt: Any, settings: Any) -> None:
    person = PersonFactory(rt=rt, nik=NIK)
    settings.GOTONG_DATA_KEYS += ",2:QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="
    out = io.StringIO()

    call_command("rotate_data_keys", stdout=out)

    person.refresh_from_db()
    assert data_key_current_version() == 2 and person.nik_ciphertext.startswith("v2:")
    assert services.person_own_tier2(person=person)["nik"] == NIK
    assert "registry.Person: 1" in out.getvalue()
