"""A kelurahan's payment details (static QRIS, bank label)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel
from gotong.territory.models import Kelurahan


class FundsProfile(BaseModel):
    """A kelurahan's payment details: its static merchant QRIS and its bank account label."""

    kelurahan = models.OneToOneField(Kelurahan, on_delete=models.PROTECT, related_name="+")
    qris_static_payload = models.TextField(_("static QRIS payload"), blank=True)
    bank_label = models.CharField(_("bank account shown to donors"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("funds profile")
        verbose_name_plural = _("funds profiles")
