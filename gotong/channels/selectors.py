"""Outbox reads."""

from django.db.models import QuerySet

from gotong.territory.models import Kelurahan

from .models import MessageStatus, OutboundMessage


def message_list_dead(*, kelurahan: Kelurahan | None = None) -> QuerySet[OutboundMessage]:
    """Messages that gave up, newest first, for the operator to look at."""
    qs = OutboundMessage.objects.filter(status=MessageStatus.DEAD)
    if kelurahan is not None:
        qs = qs.filter(kelurahan=kelurahan)
    return qs.order_by("-created_at")
