"""A cross-site page cannot log a visitor in or burn their login codes."""

from typing import Any

import pytest
from django.test import Client

from gotong.accounts.models import LoginCode

pytestmark = pytest.mark.django_db
PHONE = "081234567890"


def test_a_cross_site_text_plain_form_cannot_ask_for_a_code(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/code", f'{{"phone": "{PHONE}"}}', content_type="text/plain"
    )
    assert response.status_code == 415
    assert not LoginCode.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/page"},
    ],
)
def test_json_from_another_site_is_refused_and_burns_no_code(
    client: Client, headers: dict[str, Any]
) -> None:
    client.post("/api/v1/auth/code", {"phone": PHONE}, content_type="application/json")
    code = LoginCode.objects.get()
    for path, body in (
        ("/api/v1/auth/code", {"phone": PHONE}),
        ("/api/v1/auth/login", {"phone": PHONE, "code": "000000"}),
    ):
        response = client.post(path, body, content_type="application/json", **headers)
        assert response.status_code == 403
        assert response.json()["extra"]["check"] == "origin"
    code.refresh_from_db()
    assert code.tries == 0 and code.used_at is None
    assert LoginCode.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_the_site_itself_may_ask_for_a_code(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/code",
        {"phone": PHONE},
        content_type="application/json",
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 202
