"""Registry test data: people with valid synthetic NIKs, built directly or through services."""

import datetime as dt
from typing import Any

import factory

from gotong.accounts.models import Role, User
from gotong.core.crypto import blind_index, field_encrypt
from gotong.registry.identity import nik_compose
from gotong.registry.models import (
    Consent,
    ConsentChannel,
    ConsentPurpose,
    DataRequest,
    DuplicateCase,
    Organisation,
    OrganisationKind,
    Person,
    RegistrationChannel,
)
from gotong.registry.services import NIK_CONTEXT, PersonData
from gotong.territory.models import RT

# Kota Madiun, Kecamatan Taman.
REGION = "357703"


def nik_for(birth_date: dt.date, sex: str, serial: int = 1) -> str:
    return nik_compose(region=REGION, birth_date=birth_date, sex=sex, serial=serial)


# The NIK of the ``resident`` fixture of the service tests.
RESIDENT_NIK = nik_for(dt.date(1985, 3, 14), "F", 7)


def verified_officer(make_member: Any, role: Role, unit: Any) -> User:
    """A user in ``role`` over ``unit`` whose session counts as TOTP-verified."""
    user: Any = make_member(role, unit)
    user.is_verified = lambda: True
    return user


def person_data(rt: RT | None, **fields: Any) -> PersonData:
    values: dict[str, Any] = {
        "full_name": "Siti Rahayu",
        "sex": "F",
        "birth_date": dt.date(1985, 3, 14),
        "rt": rt,
        "phone": "0812 3456 7890",
    }
    values.update(fields)
    return PersonData(**values)


class PersonFactory(factory.django.DjangoModelFactory):
    """A person row written directly (no consent rows, no log entry)."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    rt = None
    kelurahan = factory.LazyAttribute(lambda p: p.rt.kelurahan)
    full_name = factory.Sequence(lambda n: f"Warga Uji {n}")
    sex = "M"
    birth_date = dt.date(1970, 1, 1)
    phone = factory.Sequence(lambda n: f"+62813{n:07d}")
    channel = RegistrationChannel.RT_PROXY

    class Params:
        nik = ""

    nik_ciphertext = factory.LazyAttribute(lambda p: field_encrypt(p.nik, context=NIK_CONTEXT))
    nik_index = factory.LazyAttribute(lambda p: blind_index(p.nik, context=NIK_CONTEXT))

    @factory.post_generation
    def consents(obj: Person, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if not create:
            return
        for purpose in extracted if extracted is not None else [ConsentPurpose.AID]:
            Consent.objects.create(
                kelurahan=obj.kelurahan,
                person=obj,
                purpose=purpose,
                text_version="1",
                text="uji",
                channel=ConsentChannel.RT_PROXY,
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.UMKM
    name = factory.Sequence(lambda n: f"Warung Uji {n}")
    contact_phone = "+6281298765432"
    address_outside = "Jl. Luar 1"


def permission_test_ids(rt: RT) -> dict[str, int]:
    """Real registry rows in ``rt`` for the route-by-role permission test's path parameters."""

    person = PersonFactory(rt=rt)
    twin = PersonFactory(rt=rt, full_name=person.full_name)
    case = DuplicateCase.objects.create(
        kelurahan=rt.kelurahan, person_id=twin.pk, candidate_id=person.pk, score=100
    )
    request = DataRequest.objects.create(
        kelurahan=rt.kelurahan,
        person_id=person.pk,
        rt=rt,
        kind="correction",
        details="uji",
        due_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    organisation = OrganisationFactory(kelurahan=rt.kelurahan)
    return {
        "person_id": person.pk,
        "case_id": case.pk,
        "request_id": request.pk,
        "organisation_id": organisation.pk,
    }
