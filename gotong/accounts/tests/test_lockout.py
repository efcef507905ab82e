"""Every password door (officer login, admin login) shares one lockout per number + IP."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from gotong.accounts.models import Role
from gotong.accounts.phone import phone_display
from gotong.accounts.tests.test_officer_login import PASSWORD, current_token
from gotong.territory.models import Kelurahan

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(kelurahan: Kelurahan, make_member: Callable[..., Any]) -> Any:
    user = make_member(Role.ADMIN, kelurahan)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def officer_door(client: Client, phone: str, password: str, token: str) -> Any:
    return client.post("/masuk/petugas/", {"phone": phone, "password": password, "token": token})


def admin_door(client: Client, phone: str, password: str, token: str) -> Any:
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": phone, "password": password, "otp_token": token},
    )


def page(response: Any) -> str:
    """The page without its CSRF token (masked afresh for every response)."""
    return re.sub(r"[A-Za-z0-9]{64}", "<csrf>", response.content.decode())


DOORS = {"officer login": officer_door, "admin login": admin_door}


@pytest.mark.parametrize("door", DOORS.values(), ids=DOORS.keys())
def test_each_door_locks_after_five_wrong_passwords(
    client: Client, officer: Any, door: Any
) -> None:
    answers = [door(client, officer.phone, "wrong-password", "123456") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    wrong = door(client, officer.phone, "wrong-password", "123456")
    right = door(client, officer.phone, PASSWORD, current_token(officer))
    assert wrong.status_code == right.status_code == 429
    assert page(wrong) == page(right)
    assert "_auth_user_id" not in client.session


def test_failures_at_both_doors_count_together_whatever_the_spelling(
    client: Client, officer: Any
) -> None:
    national = phone_display(officer.phone)  # 0857-..., as people type it
    for _ in range(3):
        admin_door(client, national, "wrong-password", "123456")
    for _ in range(2):
        officer_door(client, officer.phone.replace("+62", "0"), "wrong-password", "123456")
    assert officer_door(client, officer.phone, PASSWORD, current_token(officer)).status_code == 429
    assert admin_door(client, officer.phone, PASSWORD, current_token(officer)).status_code == 429


@pytest.mark.parametrize("door", DOORS.values(), ids=DOORS.keys())
def test_a_right_password_with_a_wrong_code_answers_like_a_wrong_password_and_counts(
    client: Client, officer: Any, door: Any
) -> None:
    wrong_token = f"{(int(current_token(officer)) + 1) % 1_000_000:06d}"
    wrong_password = door(client, officer.phone, "wrong-password", wrong_token)
    right_password = door(client, officer.phone, PASSWORD, wrong_token)
    assert wrong_password.status_code == right_password.status_code == 200
    assert _errors(wrong_password) == _errors(right_password)
    assert "otp_device" not in page(right_password) or _devices(right_password) == []
    for _ in range(3):
        door(client, officer.phone, PASSWORD, wrong_token)
    assert door(client, officer.phone, PASSWORD, current_token(officer)).status_code == 429


def _errors(response: Any) -> Any:
    form = response.context["form"]
    return sorted((field, list(errors)) for field, errors in form.errors.items())


def _devices(response: Any) -> Any:
    return list(response.context["form"].fields["otp_device"].widget.choices)


def test_the_admin_door_lets_a_staff_officer_in_with_the_number_as_typed(
    client: Client, officer: Any
) -> None:
    response = admin_door(client, phone_display(officer.phone), PASSWORD, current_token(officer))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_another_ip_is_not_locked_out_by_someone_elses_failures(officer: Any) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        officer_door(attacker, officer.phone, "wrong-password", "123456")
    locked = officer_door(attacker, officer.phone, PASSWORD, current_token(officer))
    assert locked.status_code == 429
    at_the_office = Client(REMOTE_ADDR="198.51.100.7")
    response = officer_door(at_the_office, officer.phone, PASSWORD, current_token(officer))
    assert response.status_code == 302
