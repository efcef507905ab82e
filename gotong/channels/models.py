"""The notification outbox: every message is stored before it is sent, and each try recorded."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gotong.core.crypto import CiphertextField
from gotong.core.models import BaseModel


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will retry")
    DEAD = "dead", _("Gave up (dead letter)")


class OutboundMessage(BaseModel):
    """One message to one recipient over one channel."""

    kelurahan = models.ForeignKey(
        "territory.Kelurahan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbound_messages",
    )
    channel = models.CharField(_("channel"), max_length=20)
    recipient = models.CharField(_("recipient"), max_length=64)
    template = models.CharField(_("template"), max_length=64)
    language = models.CharField(max_length=8, default="id")
    # Safe to show to an operator: bearer codes appear as placeholders ("[code]").
    body = models.TextField(_("body"))
    # The codes themselves, sealed (gotong.channels.bearer); wiped once delivered or expired.
    secret = CiphertextField(context="channels.outboundmessage.secret")
    secret_expires_at = models.DateTimeField(_("code valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.template} -> {self.channel} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try to hand a message to its channel."""

    message = models.ForeignKey(
        OutboundMessage, on_delete=models.CASCADE, related_name="deliveries"
    )
    attempted_at = models.DateTimeField(auto_now_add=True)
    succeeded = models.BooleanField()
    error = models.TextField(blank=True)
    provider_reference = models.CharField(max_length=128, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["attempted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}"
