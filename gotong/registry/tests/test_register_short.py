"""Registration in under two minutes: name, RT and consent now, the other details later."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from gotong.accounts.tests.factories import UserFactory
from gotong.registry.models import Person
from gotong.territory.models import RT

pytestmark = pytest.mark.django_db

ASK = "/k/taman/bantuan/ajukan/"


def test_the_registration_form_asks_only_name_rt_and_consent(
    login: Callable[..., Any], rt: RT
) -> None:
    form = login(UserFactory()).get("/k/taman/daftar/").context["form"]
    assert list(form.fields) == ["full_name", "rt", "consents", "anonymous_mode"]


def test_a_new_resident_registers_with_name_and_rt_and_lands_on_ask_for_help(
    login: Callable[..., Any], rt: RT
) -> None:
    user: Any = UserFactory(phone="+6281234567890")
    client = login(user)
    page = client.get(f"/k/taman/daftar/?next={ASK}")
    response = client.post(
        "/k/taman/daftar/",
        {"full_name": "Siti Aminah", "rt": rt.pk, "consents": ["aid"], "next": ASK},
    )
    person = Person.objects.get(user=user)
    assert f'name="next" value="{ASK}"' in page.content.decode()
    assert response.status_code == 302 and response.url == ASK
    assert (person.full_name, person.rt, person.phone) == ("Siti Aminah", rt, user.phone)
    assert person.sex == "" and person.birth_date is None


def test_registration_ignores_a_next_url_on_another_site(login: Callable[..., Any], rt: RT) -> None:
    response = login(UserFactory()).post(
        "/k/taman/daftar/",
        {"full_name": "Siti", "rt": rt.pk, "consents": ["aid"], "next": "https://evil.example/"},
    )
    assert response.url == "/k/taman/data-saya/"


def test_registration_still_needs_consent_for_aid(login: Callable[..., Any], rt: RT) -> None:
    response = login(UserFactory()).post(
        "/k/taman/daftar/", {"full_name": "Siti", "rt": rt.pk, "consents": [], "next": ASK}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Person.objects.exists()


def test_the_resident_adds_sex_birth_date_and_situation_later_on_my_data(
    login: Callable[..., Any], rt: RT
) -> None:
    user: Any = UserFactory()
    client = login(user)
    client.post("/k/taman/daftar/", {"full_name": "Siti", "rt": rt.pk, "consents": ["aid"]})
    page = client.get("/k/taman/data-saya/")
    saved = client.post(
        "/k/taman/data-saya/",
        {
            "details": "1",
            "sex": "F",
            "birth_date": "1950-03-04",
            "is_elderly": "on",
            "dtks_listed": "yes",
        },
    )
    person = Person.objects.get(user=user)
    assert '<details id="details" open>' in page.content.decode()
    assert saved.status_code == 302
    assert (person.sex, person.birth_date) == ("F", dt.date(1950, 3, 4))
    assert person.is_elderly and person.dtks_listed == "yes"


def test_a_future_birth_date_on_my_data_is_refused_and_changes_nothing(
    login: Callable[..., Any], rt: RT
) -> None:
    user: Any = UserFactory()
    client = login(user)
    client.post("/k/taman/daftar/", {"full_name": "Siti", "rt": rt.pk, "consents": ["aid"]})
    future = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    page = client.post(
        "/k/taman/data-saya/",
        {"details": "1", "sex": "F", "birth_date": future, "dtks_listed": "unknown"},
    )
    assert page.status_code == 200 and page.context["details_form"].errors
    assert Person.objects.get(user=user).birth_date is None
