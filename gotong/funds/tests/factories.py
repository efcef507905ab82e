"""Test data for funds: officers as after a TOTP login, a campaign, an enrolled UMKM, and
helpers that move money through the real services."""

import datetime as dt
import io
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gotong.accounts.models import Role
from gotong.accounts.tests.factories import MembershipFactory, UserFactory
from gotong.activities.tests import factories as activity_factories
from gotong.activities.tests.factories import verified
from gotong.funds import services
from gotong.funds.models import Campaign, Donation, VoucherMerchant
from gotong.registry.models import Organisation, OrganisationKind
from gotong.registry.tests.factories import OrganisationFactory
from gotong.territory.models import RT, Kelurahan

__all__ = ["photo", "verified"]

_photo_serial = itertools.count(1)


def photo(name: str = "bukti.png", colour: str = "green", serial: int | None = None) -> Any:
    """A small synthetic PNG (the activities' drawing) carrying a serial number in one
    pixel: each call is a different photo, as each real receipt is (one receipt cannot be
    recorded for two donations). Pass ``serial`` to get the same bytes again."""
    number = next(_photo_serial) if serial is None else serial
    drawn = activity_factories.photo(name, colour)
    image = Image.open(io.BytesIO(drawn.read())).convert("RGB")
    image.putpixel((63, 0), (number % 256, number // 256 % 256, number // 65536 % 256))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def officer(kelurahan: Kelurahan, role: Role, make_member: Any) -> Any:
    return verified(make_member(role, kelurahan))


def campaign(actor: Any, kelurahan: Kelurahan, **fields: Any) -> Campaign:
    values: dict[str, Any] = {
        "actor": actor,
        "kelurahan": kelurahan,
        "title": "Paket Sembako Lansia RW 01",
        "purpose": "Paket sembako bulanan untuk lansia yang tinggal sendiri.",
        "target_amount": 10_000_000,
        "starts_on": timezone.localdate() - dt.timedelta(days=1),
        "ends_on": timezone.localdate() + dt.timedelta(days=60),
    }
    values.update(fields)
    return services.campaign_create(**values)


def umkm(
    rt: RT, categories: tuple[str, ...] = ("sembako",), operator: Any = None
) -> tuple[VoucherMerchant, Any]:
    """An approved UMKM in ``rt`` with a seller login (role umkm), enrolled for vouchers."""
    user = UserFactory()
    MembershipFactory(user=user, role=Role.UMKM, kelurahan=rt.kelurahan, rw=rt.rw, rt=rt)
    organisation = OrganisationFactory(
        kelurahan=rt.kelurahan,
        kind=OrganisationKind.UMKM,
        rt=rt,
        status="approved",
        registered_by=user,
        contact_phone=user.phone,
    )
    merchant = services.merchant_enrol(
        actor=operator, organisation=organisation, categories=list(categories)
    )
    return merchant, user


def csr(kelurahan: Kelurahan, name: str = "PT Sinar Jaya (uji)") -> Organisation:
    return OrganisationFactory(
        kelurahan=kelurahan, kind=OrganisationKind.DONOR, name=name, status="approved"
    )


def confirmed_donation(
    recorder: Any, confirmer: Any, kelurahan: Kelurahan, amount: int, **fields: Any
) -> Donation:
    """A donation recorded with a receipt by one treasurer and confirmed by another."""
    donation = services.donation_create(kelurahan=kelurahan, donor=None, amount=amount, **fields)
    services.donation_record(
        actor=recorder,
        kelurahan=kelurahan,
        donation=donation,
        receipt=photo(),
        channel="bank",
    )
    return services.donation_confirm(actor=confirmer, donation=donation)


def campaign_funded(money: Any, amount: int = 1_000_000) -> None:
    """The ``money`` fixture's campaign holds ``amount``, given and confirmed."""
    confirmed_donation(
        money.treasurer, money.admin, money.kelurahan, amount, campaign=money.campaign
    )
