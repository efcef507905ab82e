"""Call-backs: follow-up checks on a disbursement or a voucher."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel
from gotong.territory.models import Kelurahan

from .payouts import Disbursement
from .vouchers import Voucher


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("To call")
    CONFIRMED = "confirmed", _("Confirmed by the recipient")
    DISPUTED = "disputed", _("Recipient disputes it")
    UNREACHABLE = "unreachable", _("Could not be reached")


class Callback(BaseModel):
    """A sampled recipient to call back: did they receive what the ledger says?"""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    cycle = models.CharField(max_length=7, help_text="YYYY-MM")
    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=CallbackStatus.choices, default="open")
    note = models.CharField(max_length=300, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.cycle} #{self.pk}"
