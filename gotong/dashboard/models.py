"""Dashboard read model: one protected snapshot of public figures per kelurahan, and the
official reference figures (total households per RW from the monografi) it divides by.

The snapshot is recomputed by a task when the kelurahan's log grew (``services``); pages
and exports read only the snapshot, never the source tables.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel


class Snapshot(models.Model):
    """Figures of one kelurahan as of ``computed_at``, small cells already suppressed."""

    kelurahan = models.OneToOneField(
        "territory.Kelurahan", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    computed_at = models.DateTimeField()
    log_size = models.PositiveBigIntegerField(default=0)
    # KPIs, chart series, map and monthly figures (what the public page shows).
    public = models.JSONField(default=dict)
    # The protected needs cube (month x RW x category x stage), for filters and
    # downloads; kept apart so the page does not load it.
    cube = models.JSONField(default=dict)
    # Officer figures (per RT, SLA breaches): never published, not suppressed.
    officer = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self) -> str:
        return f"{self.kelurahan_id} @ {self.computed_at:%Y-%m-%d %H:%M}"


class ReferenceCode(models.TextChoices):
    HOUSEHOLDS_TOTAL = "households_total", _("Households (KK) in the official count")


class ReferenceFigure(BaseModel):
    """An official figure the dashboard divides by (e.g. households per RW, monografi)."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=32, choices=ReferenceCode.choices)
    rw = models.ForeignKey(
        "territory.RW", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    value = models.PositiveIntegerField()
    source = models.CharField(_("source"), max_length=200)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reference figure")
        verbose_name_plural = _("reference figures")
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "code", "rw"], name="reference_figure_unique_rw"
            ),
            models.UniqueConstraint(
                fields=["kelurahan", "code"],
                condition=Q(rw__isnull=True),
                name="reference_figure_unique_kelurahan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.rw_id or '-'}: {self.value}"
