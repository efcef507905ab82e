"""In-kind goods at their declared value and their movements."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel
from gotong.territory.models import Kelurahan

from ._common import Category
from .campaigns import Donation
from .ledger import Account, Transfer


class GoodsItem(BaseModel):
    """A lot of in-kind goods in the kelurahan's store, valued at the donor's declared value."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("goods"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    quantity = models.PositiveIntegerField(_("in stock"))
    unit_value = models.BigIntegerField(_("declared value per unit (Rp)"))
    expires_on = models.DateField(_("best before"), null=True, blank=True)
    fund_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    donation = models.OneToOneField(
        Donation, on_delete=models.PROTECT, null=True, blank=True, related_name="goods_item"
    )

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        ordering = ["expires_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_value__gte=0), name="funds_goods_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class GoodsMovementKind(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Handed out")
    COUNT = "count", _("Stock count")


class GoodsMovement(models.Model):
    """Stock in, stock out to an activity, or a count with its discrepancy."""

    item = models.ForeignKey(GoodsItem, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=6, choices=GoodsMovementKind.choices)
    quantity = models.IntegerField(help_text="signed change of stock")
    counted = models.PositiveIntegerField(null=True, blank=True)
    expected = models.PositiveIntegerField(null=True, blank=True)
    activity_id = models.PositiveIntegerField(null=True, blank=True)
    receipt_code = models.CharField(max_length=16, blank=True)
    note = models.CharField(max_length=200, blank=True)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="goods_movement"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"
