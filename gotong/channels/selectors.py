"""Outbox reads."""

from django.db.models import QuerySet

from .models import MessageStatus, OutboundMessage


def message_list_dead(*, kelurahan: object | None = None) -> QuerySet[OutboundMessage]:
    """Messages that gave up, newest first, for the operator to look at."""
    qs = OutboundMessage.objects.filter(status=MessageStatus.DEAD)
    if kelurahan is not None:
        qs = qs.filter(kelurahan=kelurahan)
    return qs.order_by("-created_at")
