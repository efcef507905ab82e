"""Bearer codes in messages: stored sealed, put into the text only when it is handed over.

A login code, a receipt code or a voucher code lets whoever reads it act as the resident.
The outbox keeps a body that is safe to show to an operator: each code is rendered as a
placeholder (``[code]``) and the values are sealed with ``gotong.core.crypto`` in
``OutboundMessage.secret`` (AES-256-GCM under ``GOTONG_DATA_KEYS``). Delivery opens them
(``delivery_text``); the seal is wiped once the message is delivered or its code expired.

Every message template that carries a code is declared in ``BEARER_TEMPLATES`` (a test
walks the templates and fails on an undeclared ``{{ code }}`` or ``{{ link }}``).
"""

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from gotong.core.crypto import field_decrypt, field_encrypt
from gotong.core.timeutils import WIB

SEAL_CONTEXT = "channels.outboundmessage.secret"


def _valid_minutes(context: Mapping[str, Any]) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=int(context["minutes"]))


def _valid_until_day(context: Mapping[str, Any]) -> dt.datetime:
    day: dt.date = context["expires_on"]
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=WIB)


@dataclass(frozen=True)
class BearerTemplate:
    """Which context values of a template are bearer codes, and until when they work."""

    keys: tuple[str, ...]
    valid_until: Callable[[Mapping[str, Any]], dt.datetime]


BEARER_TEMPLATES: dict[str, BearerTemplate] = {
    "login_code": BearerTemplate(keys=("code",), valid_until=_valid_minutes),
    "receipt_code": BearerTemplate(keys=("code",), valid_until=_valid_minutes),
    # The card link carries the code in its query string.
    "voucher_issued": BearerTemplate(keys=("code", "link"), valid_until=_valid_until_day),
}


@dataclass(frozen=True)
class SealedContext:
    """A template context with its codes replaced by placeholders, and the codes sealed."""

    context: dict[str, Any]
    secret: str
    expires_at: dt.datetime | None


def placeholder(key: str) -> str:
    """What the stored body shows instead of a code."""
    return f"[{key}]"


def context_seal(template: str, context: Mapping[str, Any]) -> SealedContext:
    """Split a message context into what may be stored in clear and the sealed codes."""
    spec = BEARER_TEMPLATES.get(template)
    if spec is None:
        return SealedContext(context=dict(context), secret="", expires_at=None)
    codes = {key: str(context[key]) for key in spec.keys}
    safe = {**context, **{key: placeholder(key) for key in spec.keys}}
    return SealedContext(
        context=safe,
        secret=field_encrypt(json.dumps(codes, sort_keys=True), context=SEAL_CONTEXT),
        expires_at=spec.valid_until(context),
    )


def delivery_text(*, body: str, secret: str) -> str:
    """The text handed to the channel: the stored body with its codes put back."""
    if not secret:
        return body
    codes: dict[str, str] = json.loads(field_decrypt(secret, context=SEAL_CONTEXT))
    for key, value in codes.items():
        body = body.replace(placeholder(key), value)
    return body


def codes_in_clear() -> bool:
    """May a backend write codes into server logs and files? Only in DEBUG or when a setting
    says so explicitly (the demo's file outbox, tests); never in production."""
    return bool(settings.DEBUG or getattr(settings, "GOTONG_NOTIFICATION_CODES_IN_CLEAR", False))
