"""Needs API: the same use-cases, JSON errors with a message, tenant scoping."""

from collections.abc import Callable
from typing import Any

import pytest

from gotong.accounts.models import Role
from gotong.needs.models import Need
from gotong.needs.tests.factories import resident, tomorrow
from gotong.territory.models import RT
from gotong.territory.tests.factories import RTFactory, RWFactory

pytestmark = pytest.mark.django_db


def payload(person: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "rt_id": person.rt_id,
        "category": "kesehatan",
        "urgency": "darurat",
        "description": "Butuh obat untuk lansia",
        "needed_by": tomorrow().isoformat(),
        "beneficiary_person_id": person.pk,
    }
    data.update(overrides)
    return data


def test_submit_follow_and_triage_through_the_api(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    warga = resident(rt)
    client = login(warga.user)
    created = client.post("/api/v1/k/taman/needs", payload(warga), content_type="application/json")
    assert created.status_code == 201, created.content
    need_id = created.json()["id"]
    assert [n["id"] for n in client.get("/api/v1/k/taman/needs/mine").json()] == [need_id]
    head = login(make_member(Role.KETUA_RT, rt))
    assert [n["id"] for n in head.get(f"/api/v1/k/taman/rt/{rt.pk}/needs/queue").json()] == [
        need_id
    ]
    step = head.post(
        f"/api/v1/k/taman/needs/{need_id}/transition",
        {"to": "verified"},
        content_type="application/json",
    )
    assert step.status_code == 200 and step.json()["status"] == "verified"
    detail = client.get(f"/api/v1/k/taman/needs/{need_id}").json()
    assert [h["to_status"] for h in detail["history"]] == ["submitted", "verified"]
    assert detail["next_step"]


def test_illegal_step_is_409_with_a_message(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    warga = resident(rt)
    client = login(warga.user)
    need_id = client.post(
        "/api/v1/k/taman/needs", payload(warga), content_type="application/json"
    ).json()["id"]
    response = login(make_member(Role.KETUA_RT, rt)).post(
        f"/api/v1/k/taman/needs/{need_id}/transition",
        {"to": "closed"},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["message"]


def test_an_rt_of_another_kelurahan_is_not_found(
    rt: RT, other_kelurahan: Any, login: Callable[..., Any]
) -> None:
    warga = resident(rt)
    foreign = RTFactory(rw=RWFactory(kelurahan=other_kelurahan, number=1), number=1)
    response = login(warga.user).post(
        "/api/v1/k/taman/needs", payload(warga, rt_id=foreign.pk), content_type="application/json"
    )
    assert response.status_code == 404
    assert not Need.objects.exists()


def test_another_kelurahans_need_is_not_found(
    rt: RT, other_kelurahan: Any, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    warga = resident(rt)
    need_id = (
        login(warga.user)
        .post("/api/v1/k/taman/needs", payload(warga), content_type="application/json")
        .json()["id"]
    )
    outsider = login(make_member(Role.OPERATOR, other_kelurahan))
    assert outsider.get(f"/api/v1/k/{other_kelurahan.slug}/needs/{need_id}").status_code == 404


def test_the_board_filters_and_pages(
    rt: RT, make_member: Callable[..., Any], login: Callable[..., Any]
) -> None:
    for _ in range(3):
        warga = resident(rt)
        login(warga.user).post(
            "/api/v1/k/taman/needs", payload(warga), content_type="application/json"
        )
    board = login(make_member(Role.OPERATOR, rt.kelurahan))
    assert len(board.get("/api/v1/k/taman/needs/board?limit=2").json()) == 2
    assert len(board.get("/api/v1/k/taman/needs/board?urgency=rendah").json()) == 0
    assert board.get("/api/v1/k/taman/needs/board?limit=999").status_code == 422
