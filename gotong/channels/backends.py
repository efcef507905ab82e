"""Delivery backends behind one interface.

A backend gets a stored message and the text to hand over (the body with its bearer codes
put back, see ``bearer.py``) and either returns a provider reference or raises
``DeliveryFailed``. WhatsApp, Telegram and SMS adapters implement the same interface.

The console and file backends write to the server (its log, ``var/outbox/``), so they
write the stored body, codes masked as ``[code]``, unless ``codes_in_clear()``: DEBUG, or
``GOTONG_NOTIFICATION_CODES_IN_CLEAR`` set explicitly (the local demo, where a demo user
reads their login code in ``var/outbox/<number>.jsonl``, and the tests).
"""

import json
import logging
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from gotong.core.timeutils import utc_iso

from .bearer import codes_in_clear
from .models import OutboundMessage

logger = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The channel did not accept the message; the outbox will retry."""


class DeliveryBackend(Protocol):
    channel: str

    def deliver(self, message: OutboundMessage, text: str) -> str: ...


class ConsoleBackend:
    """Writes messages to the process log (the default for development)."""

    channel = "console"

    def deliver(self, message: OutboundMessage, text: str) -> str:
        shown = text if codes_in_clear() else message.body
        logger.info("Message %s to %s:\n%s", message.pk, message.recipient, shown)
        return f"console-{message.pk}"


class FileBackend:
    """Appends messages as JSON lines to one file per recipient (tests and the demo read them)."""

    channel = "file"

    def __init__(self, directory: str | None = None) -> None:
        self.directory = Path(directory or settings.GOTONG_NOTIFICATION_FILE_DIR)

    def path_for(self, recipient: str) -> Path:
        return self.directory / f"{recipient.lstrip('+')}.jsonl"

    def deliver(self, message: OutboundMessage, text: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        record = {
            "id": message.pk,
            "at": utc_iso(),
            "recipient": message.recipient,
            "template": message.template,
            "body": text if codes_in_clear() else message.body,
        }
        with self.path_for(message.recipient).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return f"file-{message.pk}"


BACKENDS: dict[str, str] = {
    "console": "gotong.channels.backends.ConsoleBackend",
    "file": "gotong.channels.backends.FileBackend",
}


def backend_path(name: str) -> str:
    """The dotted path of a backend given by short name or dotted path."""
    return BACKENDS.get(name, name)


def backend_get(name: str | None = None) -> DeliveryBackend:
    """The configured backend (by short name or dotted path)."""
    name = name or settings.GOTONG_NOTIFICATION_BACKEND
    backend: DeliveryBackend = import_string(backend_path(name))()
    return backend
