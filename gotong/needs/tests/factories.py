"""Test data for needs: a registered resident with a login, in a household of an RT."""

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gotong.accounts.models import Role
from gotong.accounts.tests.factories import MembershipFactory, UserFactory
from gotong.needs import services
from gotong.needs.models import Need
from gotong.registry.models import Household, Person
from gotong.registry.tests.factories import PersonFactory
from gotong.territory.models import RT


def resident(rt: RT, **fields: Any) -> Person:
    """A resident of ``rt`` with a user account, heading their own household."""
    user = UserFactory()
    MembershipFactory(user=user, role=Role.WARGA, kelurahan=rt.kelurahan, rw=rt.rw, rt=rt)
    household = Household.objects.create(kelurahan=rt.kelurahan, rt=rt, size=3)
    person = PersonFactory(rt=rt, user=user, household=household, **fields)
    household.head = person  # type: ignore[assignment]
    household.save(update_fields=["head"])
    return person


def tomorrow() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=1)


def photo(name: str = "bukti.png", colour: str = "green") -> SimpleUploadedFile:
    """A small synthetic PNG, drawn here (no downloaded images)."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def raise_need(person: Any, **fields: Any) -> Need:
    """A need for food raised by ``person`` themselves, through the service."""
    return services.need_submit(
        actor=person.user,
        kelurahan=person.kelurahan,
        rt=person.rt,
        category="pangan",
        description="Butuh beras dan minyak goreng",
        urgency=fields.pop("urgency", "sedang"),
        needed_by=tomorrow(),
        beneficiary_person=person,
        **fields,
    )
