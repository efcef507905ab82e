"""Residents log in with a 6-digit code: 5-minute expiry, 5 tries, rate limits."""

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from gotong.accounts.models import LoginCode, User
from gotong.accounts.services import login_code_request, login_code_verify
from gotong.core.exceptions import RateLimited, ValidationFailed

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"


def last_code(phone: str = PHONE) -> str:
    path = Path(settings.GOTONG_NOTIFICATION_FILE_DIR) / f"{phone.lstrip('+')}.jsonl"
    body = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])["body"]
    match = re.search(r"\b(\d{6})\b", body)
    assert match, body
    return match.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_is_sent_and_logs_the_resident_in_creating_the_account() -> None:
    login_code_request(phone="0812 3456 7890", ip="10.0.0.1")
    assert not LoginCode.objects.filter(code_hash=last_code()).exists()  # only a hash is kept

    user = login_code_verify(phone="081234567890", code=last_code())

    assert user.phone == PHONE and not user.has_usable_password()
    assert LoginCode.objects.get().used_at is not None


def test_a_code_works_only_once() -> None:
    login_code_request(phone=PHONE, ip=None)
    code = last_code()
    login_code_verify(phone=PHONE, code=code)
    with pytest.raises(ValidationFailed):
        login_code_verify(phone=PHONE, code=code)


def test_an_expired_code_is_refused() -> None:
    login_code_request(phone=PHONE, ip=None)
    LoginCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationFailed) as exc:
        login_code_verify(phone=PHONE, code=last_code())
    assert exc.value.extra == {"field": "code"}
    assert not User.objects.exists()


def test_five_wrong_tries_burn_the_code_even_the_right_one_after() -> None:
    login_code_request(phone=PHONE, ip=None)
    code = last_code()
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            login_code_verify(phone=PHONE, code=wrong(code))
    assert LoginCode.objects.get().tries == 5
    with pytest.raises(ValidationFailed):
        login_code_verify(phone=PHONE, code=code)
    assert not User.objects.exists()


def test_a_new_code_replaces_the_previous_one() -> None:
    login_code_request(phone=PHONE, ip=None)
    first = last_code()
    login_code_request(phone=PHONE, ip=None)
    second = last_code()
    if first != second:
        with pytest.raises(ValidationFailed):
            login_code_verify(phone=PHONE, code=first)
    assert login_code_verify(phone=PHONE, code=second).phone == PHONE


def test_codes_are_rate_limited_per_number(settings: Any) -> None:
    for _ in range(settings.GOTONG_LOGIN_CODE_PER_PHONE_PER_HOUR):
        login_code_request(phone=PHONE, ip=None)
    with pytest.raises(RateLimited):
        login_code_request(phone=PHONE, ip=None)
    assert LoginCode.objects.count() == settings.GOTONG_LOGIN_CODE_PER_PHONE_PER_HOUR


def test_codes_are_rate_limited_per_ip(settings: Any) -> None:
    settings.GOTONG_LOGIN_CODE_PER_IP_PER_HOUR = 3
    for n in range(3):
        login_code_request(phone=f"+62812345678{n:02d}", ip="10.1.1.1")
    with pytest.raises(RateLimited):
        login_code_request(phone="+6281234567899", ip="10.1.1.1")
    login_code_request(phone="+6281234567899", ip="10.1.1.2")
    assert LoginCode.objects.count() == 4


def test_a_bad_number_sends_nothing() -> None:
    with pytest.raises(ValidationFailed) as exc:
        login_code_request(phone="021 555 1234", ip=None)
    assert exc.value.extra == {"field": "phone"}
    assert not LoginCode.objects.exists()


def test_api_login_flow_and_errors_in_both_languages(client: Any) -> None:
    bad = client.post("/api/v1/auth/code", {"phone": "12"}, content_type="application/json")
    english = client.post(
        "/api/v1/auth/code",
        {"phone": "12"},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert bad.status_code == 422 and bad.json()["extra"] == {"field": "phone"}
    assert bad.json()["message"] != english.json()["message"]

    assert (
        client.post(
            "/api/v1/auth/code", {"phone": PHONE}, content_type="application/json"
        ).status_code
        == 202
    )
    refused = client.post(
        "/api/v1/auth/login",
        {"phone": PHONE, "code": wrong(last_code())},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert client.get("/api/v1/me").status_code == 401

    ok = client.post(
        "/api/v1/auth/login", {"phone": PHONE, "code": last_code()}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["phone"] == PHONE
    assert client.get("/api/v1/me").json()["memberships"] == []


def test_login_pages_walk_a_resident_through(client: Any) -> None:
    response = client.post("/masuk/?next=/akun/", {"phone": "0812-3456-7890"})
    assert response.status_code == 302 and response.url == "/masuk/kode/"

    page = client.post("/masuk/kode/", {"code": wrong(last_code())})
    assert page.status_code == 200 and page.context["form"].errors["code"]

    done = client.post("/masuk/kode/", {"code": last_code()})
    assert done.status_code == 302 and done.url == "/akun/"


def test_the_code_page_without_a_number_goes_back_to_step_one(client: Any) -> None:
    assert client.get("/masuk/kode/").url == "/masuk/"


def test_an_external_next_is_ignored(client: Any) -> None:
    client.post("/masuk/?next=https://evil.example/", {"phone": PHONE})
    done = client.post("/masuk/kode/", {"code": last_code()})
    assert done.url == "/akun/"
