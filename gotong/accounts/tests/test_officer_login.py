"""Officers log in with password + TOTP; django-axes locks out brute force."""

from collections.abc import Callable
from typing import Any

import pytest
from django_otp.oath import TOTP

from gotong.accounts.models import Role
from gotong.territory.models import Kelurahan

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"


def current_token(user: Any) -> str:
    device = user.totpdevice_set.get()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def operator(kelurahan: Kelurahan, make_member: Callable[..., Any]) -> Any:
    return make_member(Role.OPERATOR, kelurahan)


def test_password_and_authenticator_code_give_a_verified_session(
    client: Any, operator: Any
) -> None:
    response = client.post(
        "/masuk/petugas/?next=/k/taman/",
        {"phone": operator.phone, "password": PASSWORD, "token": current_token(operator)},
    )
    assert response.status_code == 302 and response.url == "/k/taman/"
    created = client.post("/api/v1/k/taman/rw", {"number": 7}, content_type="application/json")
    assert created.status_code == 201


def test_a_wrong_authenticator_code_is_refused(client: Any, operator: Any) -> None:
    token = f"{(int(current_token(operator)) + 1) % 1_000_000:06d}"
    response = client.post(
        "/masuk/petugas/", {"phone": operator.phone, "password": PASSWORD, "token": token}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_an_officer_logged_in_by_code_cannot_use_the_officer_role(
    client: Any, operator: Any
) -> None:
    client.force_login(operator)  # a session without TOTP verification
    response = client.post("/api/v1/k/taman/rw", {"number": 7}, content_type="application/json")
    assert response.status_code == 403


def test_five_wrong_passwords_lock_the_number_out(client: Any, operator: Any) -> None:
    for _ in range(5):
        client.post(
            "/masuk/petugas/",
            {"phone": operator.phone, "password": "wrong-password", "token": "123456"},
        )
    locked = client.post(
        "/masuk/petugas/",
        {"phone": operator.phone, "password": PASSWORD, "token": current_token(operator)},
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
