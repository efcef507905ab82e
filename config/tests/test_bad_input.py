"""Bad input never gets a 500 or a traceback: a 4xx in the error shape, in every mode."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from gotong.accounts.models import LoginCode, Role
from gotong.needs import services as needs_services
from gotong.needs.tests.factories import resident, tomorrow
from gotong.territory.models import RT, Kelurahan

pytestmark = pytest.mark.django_db
BEYOND_64_BIT = str(2**64 + 1)


@pytest.fixture(params=[False, True], ids=["DEBUG off", "DEBUG on"])
def debug(request: Any, settings: Any) -> bool:
    settings.DEBUG = request.param
    return bool(request.param)


def assert_error_shape(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "extra"} and body["message"]
    assert "Traceback" not in response.content.decode()
    return body


def test_a_multipart_upload_without_boundary_is_a_400(
    debug: bool, rt: RT, make_member: Callable[..., Any], login: Callable[..., Client]
) -> None:
    client = login(make_member(Role.KETUA_RT, rt))
    response = client.post(
        "/api/v1/k/taman/transparency/evidence",
        b"--x\r\nContent-Disposition: form-data; name=subject\r\n\r\nneed:1\r\n--x--",
        content_type="multipart/form-data",
    )
    assert_error_shape(response, 400)


def test_offsets_and_ids_beyond_64_bit_are_refused_not_crashed(
    debug: bool, kelurahan: Kelurahan, make_member: Callable[..., Any], login: Callable[..., Client]
) -> None:
    client = login(make_member(Role.OPERATOR, kelurahan))
    board = client.get(f"/api/v1/k/taman/needs/board?offset={BEYOND_64_BIT}")
    assert assert_error_shape(board, 422)["extra"]["errors"][0]["loc"][-1] == "offset"
    need = client.get(f"/api/v1/k/taman/needs/{BEYOND_64_BIT}")
    assert need.status_code in (404, 422)
    assert_error_shape(need, need.status_code)


def test_a_json_body_over_the_limit_is_a_400(debug: bool, client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"phone": "' + "0" * 2000 + '"}'
    response = client.post("/api/v1/auth/code", body, content_type="application/json")
    assert_error_shape(response, 400)
    assert not LoginCode.objects.exists()


@pytest.mark.parametrize("body", ["[null, null]", "3", '"0812"', "null", "[]", "{", "NaN"])
def test_a_body_that_is_not_a_json_object_is_refused(
    debug: bool, client: Client, body: str
) -> None:
    response = client.post("/api/v1/auth/code", body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert_error_shape(response, response.status_code)
    assert not LoginCode.objects.exists()


def test_false_is_not_an_integer(
    debug: bool, rt: RT, make_member: Callable[..., Any], login: Callable[..., Client]
) -> None:
    head = make_member(Role.KETUA_RT, rt)
    person = resident(rt)
    need = needs_services.need_submit(
        actor=person.user,
        kelurahan=rt.kelurahan,
        rt=rt,
        category="pangan",
        description="Butuh paket sembako",
        urgency="tinggi",
        needed_by=tomorrow(),
        beneficiary_person=person,
        quantity=5,
    )
    response = login(head).post(
        f"/api/v1/k/taman/needs/{need.pk}/quantities",
        {"committed": False, "in_transit": 0, "delivered": True},
        content_type="application/json",
    )
    body = assert_error_shape(response, 422)
    assert {e["loc"][-1] for e in body["extra"]["errors"]} == {"committed", "delivered"}
    need.refresh_from_db()
    assert (need.quantity_committed, need.quantity_delivered) == (0, 0)


def test_unknown_routes_and_tenants_answer_in_the_error_shape(debug: bool, client: Client) -> None:
    assert_error_shape(client.get("/api/v1/k/no-such-place/needs/board"), 404)
