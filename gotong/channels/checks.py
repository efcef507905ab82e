"""System checks: production refuses to start without a notification channel.

``manage.py migrate``, ``check`` and ``db_worker`` run these; an Error stops them.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from .backends import backend_path
from .bearer import codes_in_clear


@register(Tags.compatibility)
def notification_channel_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """A channel must be configured explicitly, and it must exist."""
    name = getattr(settings, "GOTONG_NOTIFICATION_BACKEND", "")
    if not name:
        return [
            Error(
                "No notification channel is configured: residents would get no login codes.",
                hint=(
                    "Set GOTONG_NOTIFICATION_BACKEND to a channel adapter (a dotted path), "
                    "or to 'console' or 'file', which write messages with their codes masked."
                ),
                id="channels.E001",
            )
        ]
    try:
        import_string(backend_path(name))
    except ImportError:
        return [
            Error(
                f"GOTONG_NOTIFICATION_BACKEND {name!r} is not a known backend.",
                hint="Use 'console', 'file' or the dotted path of a backend class.",
                id="channels.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def notification_codes_masked_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """In production, no backend may write bearer codes into server logs or files."""
    if codes_in_clear():
        return [
            Error(
                "Notification backends write login, receipt and voucher codes in clear.",
                hint="Remove GOTONG_NOTIFICATION_CODES_IN_CLEAR (demo only) and DEBUG.",
                id="channels.E003",
            )
        ]
    return []
