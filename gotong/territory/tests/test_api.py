from collections.abc import Callable
from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.territory.models import RT, RW, Kelurahan
from gotong.territory.tests.factories import RTFactory, RWFactory

pytestmark = pytest.mark.django_db


def test_kelurahan_is_public(client: Any, kelurahan: Kelurahan) -> None:
    response = client.get("/api/v1/k/taman/")
    assert response.status_code == 200
    assert response.json()["region_code"] == "35.77.03.1009"


def test_unknown_kelurahan_is_404_with_a_message(client: Any, kelurahan: Kelurahan) -> None:
    response = client.get("/api/v1/k/tidak-ada/rw")
    assert response.status_code == 404
    assert response.json()["message"] == "Kelurahan tidak ditemukan."


def test_lists_show_only_this_kelurahan(
    client: Any, kelurahan: Kelurahan, other_kelurahan: Kelurahan
) -> None:
    RTFactory(rw=RWFactory(kelurahan=kelurahan, number=1), number=1)
    RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=5), number=9)

    rws = client.get("/api/v1/k/taman/rw").json()
    rts = client.get("/api/v1/k/taman/rt").json()

    assert [rw["number"] for rw in rws] == [1]
    assert [(rt["rw_number"], rt["number"]) for rt in rts] == [(1, 1)]
    assert client.get("/api/v1/k/taman/rt?rw=5").status_code == 404


def test_operator_adds_rw_and_rt(
    kelurahan: Kelurahan, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    client = login(make_member(Role.OPERATOR, kelurahan))

    rw = client.post("/api/v1/k/taman/rw", {"number": 4}, content_type="application/json")
    rt = client.post(
        "/api/v1/k/taman/rt", {"number": 2, "rw_number": 4}, content_type="application/json"
    )

    assert rw.status_code == 201 and rw.json()["number"] == 4
    assert rt.status_code == 201 and rt.json()["rw_number"] == 4
    assert RT.objects.get().rw.number == 4


def test_duplicate_rw_is_refused_in_indonesian_and_in_english(
    kelurahan: Kelurahan, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    RWFactory(kelurahan=kelurahan, number=1)
    client = login(make_member(Role.OPERATOR, kelurahan))

    indonesian = client.post("/api/v1/k/taman/rw", {"number": 1}, content_type="application/json")
    english = client.post(
        "/api/v1/k/taman/rw",
        {"number": 1},
        content_type="application/json",
        headers={"accept-language": "en"},
    )

    assert indonesian.status_code == 409
    assert indonesian.json()["message"] == "RW 1 sudah ada di kelurahan ini."
    assert english.json()["message"] == "RW 1 already exists in this kelurahan."
    assert RW.objects.count() == 1


def test_invalid_numbers_are_422_and_change_nothing(
    kelurahan: Kelurahan, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    client = login(make_member(Role.OPERATOR, kelurahan))
    response = client.post("/api/v1/k/taman/rw", {"number": 0}, content_type="application/json")
    assert response.status_code == 422
    assert not RW.objects.exists()


def test_an_operator_of_another_kelurahan_cannot_add_units_here(
    kelurahan: Kelurahan,
    other_kelurahan: Kelurahan,
    make_member: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    client = login(make_member(Role.OPERATOR, other_kelurahan))
    response = client.post("/api/v1/k/taman/rw", {"number": 4}, content_type="application/json")
    assert response.status_code == 403
    assert not RW.objects.exists()


def test_an_rt_head_cannot_add_units(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    client = login(make_member(Role.KETUA_RT, rt))
    response = client.post("/api/v1/k/taman/rw", {"number": 4}, content_type="application/json")
    assert response.status_code == 403
    assert RW.objects.count() == 1
