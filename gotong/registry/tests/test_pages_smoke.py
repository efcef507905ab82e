"""Every registry page renders for the role it is for (and refuses a resident where it should)."""

from collections.abc import Callable
from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.accounts.tests.factories import MembershipFactory, UserFactory
from gotong.registry.models import DataAccess
from gotong.registry.tests.factories import OrganisationFactory, PersonFactory
from gotong.territory.models import RT

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(rt: RT) -> Any:
    user = UserFactory()
    MembershipFactory(user=user, role=Role.WARGA, kelurahan=rt.kelurahan, rw=rt.rw, rt=rt)
    return PersonFactory(rt=rt, user=user)


def test_resident_pages(resident: Any, login: Callable[..., Any]) -> None:
    client = login(resident.user)
    assert client.get("/k/taman/daftar/").url == "/k/taman/data-saya/"  # already registered
    for url in [
        "/k/taman/data-saya/",
        "/k/taman/relawan/daftar/",
        "/k/taman/organisasi/",
        "/k/taman/organisasi/daftar/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    export = client.get("/k/taman/data-saya/unduh/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/json")


def test_a_new_user_sees_the_registration_form(login: Callable[..., Any], rt: RT) -> None:
    assert login(UserFactory()).get("/k/taman/daftar/").status_code == 200


def test_rt_head_pages(
    resident: Any, rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    client = login(make_member(Role.KETUA_RT, rt))
    for url in [
        f"/k/taman/rt/{rt.pk}/keluarga/baru/",
        "/k/taman/warga/",
        f"/k/taman/warga/{resident.pk}/",
        "/k/taman/permintaan-data/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_operator_pages(
    resident: Any, rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    OrganisationFactory(kelurahan=rt.kelurahan)
    client = login(make_member(Role.OPERATOR, rt.kelurahan))
    for url in [
        "/k/taman/kios/",
        "/k/taman/warga/",
        f"/k/taman/warga/{resident.pk}/",
        "/k/taman/permintaan-data/",
        "/k/taman/duplikat/",
        "/k/taman/impor/",
        "/k/taman/organisasi/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_officer_pages_refuse_a_resident(resident: Any, rt: RT, login: Callable[..., Any]) -> None:
    client = login(resident.user)
    for url in [
        f"/k/taman/rt/{rt.pk}/keluarga/baru/",
        "/k/taman/kios/",
        "/k/taman/warga/",
        "/k/taman/duplikat/",
        "/k/taman/impor/",
    ]:
        assert client.get(url).status_code == 403, url


def test_the_residents_list_is_paged_and_logs_only_the_page_shown(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    for _ in range(60):
        PersonFactory(rt=rt)
    client = login(make_member(Role.KETUA_RT, rt))
    first = client.get("/k/taman/warga/")
    second = client.get("/k/taman/warga/?page=2")
    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 10
    assert first.context["total"] == 60
    assert DataAccess.objects.count() == 60
