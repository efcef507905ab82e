"""One lockout for every password door (officer login, admin login).

django-axes counts failed password logins per (phone number, IP). Each door names the
login field differently (the officer form posts ``phone``, the admin form ``username``)
and people type the number in many spellings, so the key is the normalised E.164 number
whatever the door: five failures spread over both doors lock both.
"""

from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .phone import phone_normalize

_LOGIN_FIELDS = ("phone", "username")


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The lockout key of a login attempt: its phone number in E.164 (axes' username)."""
    raw = None
    for field in _LOGIN_FIELDS:
        raw = (credentials or {}).get(field) or request.POST.get(field)
        if raw:
            break
    if not raw:
        return None
    try:
        return phone_normalize(str(raw))
    except ValidationError:
        # Not a valid number: still counted, under what was typed.
        return str(raw).strip()[:64]


def login_failure_signal(*, request: HttpRequest, phone: str) -> None:
    """Count a refused second factor as a failed login (same lockout as a wrong password)."""
    user_login_failed.send(sender=__name__, credentials={"phone": phone}, request=request)
