"""Bearer codes never stored in clear (issue 13, item 5): outbox, server log, expiry."""

import datetime as dt
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.management import call_command
from django.utils import timezone

from gotong.accounts.services import login_code_request, login_code_verify
from gotong.channels.backends import DeliveryFailed
from gotong.channels.bearer import BEARER_TEMPLATES
from gotong.channels.models import MessageStatus, OutboundMessage
from gotong.channels.services import (
    message_deliver,
    message_retry,
    message_secrets_wipe_expired,
    notification_send,
)

pytestmark = pytest.mark.django_db
PHONE = "+6281234500001"
CODE_IN_TEXT = re.compile(r"\b\d{6}\b")
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "channels" / "messages"


class FlakyBackend:
    """Fails the first ``failures`` tries, then delivers; remembers what it was handed."""

    channel = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.handed: list[str] = []

    def deliver(self, message: OutboundMessage, text: str) -> str:
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryFailed("gateway timeout")
        self.handed.append(text)
        return "flaky-1"


@pytest.fixture
def masked(settings: Any) -> None:
    """Production's setting: backends must not write codes into the server's logs."""
    settings.GOTONG_NOTIFICATION_CODES_IN_CLEAR = False
    settings.DEBUG = False


@pytest.fixture
def by_hand(monkeypatch: Any) -> None:
    """No worker: the test hands each delivery try over itself."""
    monkeypatch.setattr("gotong.channels.services._enqueue", lambda message, run_after: None)


def outbox_file(phone: str = PHONE) -> str:
    path = Path(settings.GOTONG_NOTIFICATION_FILE_DIR) / f"{phone.lstrip('+')}.jsonl"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def code_sent_to(phone: str, monkeypatch: Any) -> str:
    """Request a login code and capture the code itself as the accounts service drew it."""
    drawn: list[int] = []
    real = __import__("secrets").randbelow

    def remembering(bound: int) -> int:
        drawn.append(real(bound))
        return drawn[-1]

    monkeypatch.setattr("gotong.accounts.services.secrets.randbelow", remembering)
    login_code_request(phone=phone, ip="10.0.0.1")
    monkeypatch.undo()
    return f"{drawn[-1]:06d}"


def test_a_delivered_login_code_is_neither_in_the_outbox_nor_in_the_server_log(
    masked: None, settings: Any, caplog: Any, monkeypatch: Any
) -> None:
    settings.GOTONG_NOTIFICATION_BACKEND = "console"
    with caplog.at_level(logging.INFO, logger="gotong.channels.backends"):
        code = code_sent_to(PHONE, monkeypatch)

    message = OutboundMessage.objects.get(template="login_code")
    assert message.status == MessageStatus.SENT
    assert code not in message.body and "[code]" in message.body
    assert message.secret == ""  # delivered: the sealed copy is gone too
    assert f"Message {message.pk}" in caplog.text and code not in caplog.text
    # ... and the code still works: it went to the resident, only the server forgot it.
    assert login_code_verify(phone=PHONE, code=code).phone == PHONE


def test_the_file_backend_masks_codes_outside_debug(masked: None, monkeypatch: Any) -> None:
    code = code_sent_to(PHONE, monkeypatch)

    written = json.loads(outbox_file())
    assert code not in written["body"] and "[code]" in written["body"]


def test_the_demo_setting_lets_the_file_outbox_show_the_code(
    settings: Any, monkeypatch: Any
) -> None:
    settings.GOTONG_NOTIFICATION_CODES_IN_CLEAR = True  # config/settings/local.py
    code = code_sent_to(PHONE, monkeypatch)

    assert code in json.loads(outbox_file())["body"]
    assert code not in OutboundMessage.objects.get().body


def test_a_failed_delivery_keeps_the_sealed_code_until_a_retry_delivers_it(
    monkeypatch: Any, by_hand: None
) -> None:
    backend = FlakyBackend(failures=1)
    monkeypatch.setattr("gotong.channels.services.backend_get", lambda: backend)
    message = notification_send(
        recipient=PHONE, template="login_code", context={"code": "482913", "minutes": 5}
    )
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRYING
    assert message.secret.startswith("v1:") and "482913" not in message.secret
    assert "482913" not in message.body

    message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.secret == ""
    assert backend.handed == [message.body.replace("[code]", "482913")]


def test_an_expired_code_is_wiped_and_never_delivered(monkeypatch: Any, by_hand: None) -> None:
    backend = FlakyBackend(failures=5)
    monkeypatch.setattr("gotong.channels.services.backend_get", lambda: backend)
    message = notification_send(
        recipient=PHONE,
        template="receipt_code",
        context={"code": "771204", "need_id": 9, "minutes": 30},
    )
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.secret and message.status == MessageStatus.RETRYING
    assert message.secret_expires_at is not None
    later = message.secret_expires_at + dt.timedelta(seconds=1)

    assert message_secrets_wipe_expired(now=later) == 1

    message.refresh_from_db()
    assert message.secret == "" and message.status == MessageStatus.DEAD
    backend.failures = 0
    message_retry(message=message)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD and backend.handed == []


def test_delivery_after_expiry_wipes_instead_of_sending(monkeypatch: Any, by_hand: None) -> None:
    backend = FlakyBackend(failures=1)
    monkeypatch.setattr("gotong.channels.services.backend_get", lambda: backend)
    message = notification_send(
        recipient=PHONE, template="login_code", context={"code": "120034", "minutes": 5}
    )
    OutboundMessage.objects.filter(pk=message.pk).update(
        secret_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD and message.secret == ""
    assert backend.handed == []


def test_the_redeliver_command_wipes_expired_codes() -> None:
    OutboundMessage.objects.create(
        channel="file",
        recipient=PHONE,
        template="login_code",
        body="[code]",
        secret="v1:sealed",
        secret_expires_at=timezone.now() - dt.timedelta(minutes=1),
        status=MessageStatus.DEAD,
    )
    call_command("notification_redeliver", stdout=__import__("io").StringIO())
    assert OutboundMessage.objects.get().secret == ""


def test_a_voucher_code_and_its_card_link_are_sealed(masked: None) -> None:
    message = notification_send(
        recipient=PHONE,
        template="voucher_issued",
        context={
            "code": "VCR-7K2P-9QXM",
            "value": "Rp 100.000",
            "category": "pangan",
            "expires_on": dt.date(2027, 1, 31),
            "kelurahan": "Taman",
            "link": "https://gotong.example.org/k/taman/voucher/kartu/?kode=VCR-7K2P-9QXM",
        },
    )
    message.refresh_from_db()
    assert "VCR-7K2P-9QXM" not in message.body + outbox_file()
    assert "[code]" in message.body and "[link]" in message.body


def test_every_template_that_carries_a_code_is_declared() -> None:
    carrying = {
        path.stem
        for path in TEMPLATES.glob("*.txt")
        if re.search(r"{{\s*(code|link)\b", path.read_text(encoding="utf-8"))
    }
    assert carrying == set(BEARER_TEMPLATES)


def test_no_configured_channel_is_an_error_that_stops_start_up(settings: Any) -> None:
    settings.GOTONG_NOTIFICATION_BACKEND = ""
    assert "channels.E001" in [e.id for e in run_checks()]
    settings.GOTONG_NOTIFICATION_BACKEND = "gotong.channels.backends.Nowhere"
    assert "channels.E002" in [e.id for e in run_checks()]


def test_the_deploy_check_refuses_codes_in_clear(settings: Any) -> None:
    settings.GOTONG_NOTIFICATION_CODES_IN_CLEAR = True
    assert "channels.E003" in [e.id for e in run_checks(include_deployment_checks=True)]
    settings.GOTONG_NOTIFICATION_CODES_IN_CLEAR = False
    assert "channels.E003" not in [e.id for e in run_checks(include_deployment_checks=True)]
