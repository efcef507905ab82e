"""Needs (permohonan bantuan): what a resident needs, its lifecycle and its history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel


class Category(models.TextChoices):
    PANGAN = "pangan", _("Food / sembako")
    KESEHATAN = "kesehatan", _("Medicine and health")
    TENAGA = "tenaga", _("Labour / services")
    BARANG = "barang", _("Goods")
    DANA = "dana", _("Money")
    PENDIDIKAN = "pendidikan", _("Education")
    LAINNYA = "lainnya", _("Other")


class Urgency(models.TextChoices):
    DARURAT = "darurat", _("Emergency")
    TINGGI = "tinggi", _("High")
    SEDANG = "sedang", _("Medium")
    RENDAH = "rendah", _("Low")


URGENCY_RANK = {Urgency.DARURAT: 0, Urgency.TINGGI: 1, Urgency.SEDANG: 2, Urgency.RENDAH: 3}
# Default service levels (hours from submission to delivery); the seed's target for high
# urgency is under 48 hours. A kelurahan can change them (ServiceLevel).
DEFAULT_TARGET_HOURS = {
    Urgency.DARURAT: 24,
    Urgency.TINGGI: 48,
    Urgency.SEDANG: 96,
    Urgency.RENDAH: 168,
}


class RaisedVia(models.TextChoices):
    SELF = "self", _("By the resident")
    RT_PROXY = "rt_proxy", _("By the RT head on their behalf")
    KIOSK = "kiosk", _("At a kiosk, by an operator")
    ANONYMOUS = "anonymous", _("Anonymously (known only to the RT head)")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified by the RT")
    APPROVED = "approved", _("Approved by the RW")
    ESCALATED = "escalated", _("Escalated to the kelurahan")
    MATCHED = "matched", _("Help assigned")
    IN_PROGRESS = "in_progress", _("Help on the way")
    DELIVERED = "delivered", _("Delivered")
    CONFIRMED = "confirmed", _("Receipt confirmed")
    SIGNED_OFF = "signed_off", _("Signed off")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.VERIFIED,
    Status.APPROVED,
    Status.ESCALATED,
    Status.MATCHED,
    Status.IN_PROGRESS,
]
FINAL_STATUSES = [Status.CLOSED, Status.REJECTED, Status.CANCELLED]


class Need(BaseModel):
    """A request for help for one person or household, in one RT."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    rt = models.ForeignKey("territory.RT", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"), max_length=1000)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices)
    people_affected = models.PositiveSmallIntegerField(
        _("people affected"), default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    needed_by = models.DateTimeField(_("needed by"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    beneficiary_person = models.ForeignKey(
        "registry.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    beneficiary_household = models.ForeignKey(
        "registry.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_via = models.CharField(_("raised"), max_length=10, choices=RaisedVia.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    consent_evidence = models.FileField(
        _("photo of the signed consent form"), upload_to="needs/consent/%Y/%m/", blank=True
    )
    unit = models.CharField(_("unit"), max_length=30, default="paket")
    quantity_requested = models.PositiveIntegerField(_("requested"), default=1)
    quantity_committed = models.PositiveIntegerField(_("committed"), default=0)
    quantity_in_transit = models.PositiveIntegerField(_("in transit"), default=0)
    quantity_delivered = models.PositiveIntegerField(_("delivered"), default=0)
    recurrence_days = models.PositiveSmallIntegerField(
        _("repeat every (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    reopens_at = models.DateTimeField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="recurrences"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    status_changed_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    duplicate_override_reason = models.CharField(max_length=300, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        default=0, help_text=_("0 none, 50 half the target passed, 100 target passed")
    )

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [
            models.Index(fields=["kelurahan", "rt", "status"]),
            models.Index(fields=["kelurahan", "status", "urgency", "created_at"]),
            models.Index(fields=["beneficiary_household", "category", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_requested__gte=1), name="need_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    quantity_requested__gte=F("quantity_committed")
                    + F("quantity_in_transit")
                    + F("quantity_delivered")
                ),
                name="need_quantities_within_request",
            ),
            models.CheckConstraint(
                condition=Q(beneficiary_person__isnull=False)
                | Q(beneficiary_household__isnull=False),
                name="need_has_beneficiary",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"

    @property
    def is_anonymous(self) -> bool:
        return self.raised_via == RaisedVia.ANONYMOUS

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class NeedEvent(models.Model):
    """One step of a need's history: who moved it where, why, and its log index."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True, choices=Status.choices)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    role = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    log_index = models.PositiveBigIntegerField(null=True)

    class Meta:
        verbose_name = _("need event")
        verbose_name_plural = _("need events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.need_id}: {self.from_status} -> {self.to_status}"


class ServiceLevel(models.Model):
    """A kelurahan's target time from submission to delivery, per urgency."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.CASCADE, related_name="+")
    urgency = models.CharField(max_length=8, choices=Urgency.choices)
    target_hours = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        constraints = [
            models.UniqueConstraint(fields=["kelurahan", "urgency"], name="service_level_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.urgency}: {self.target_hours} h"


class Escalation(models.Model):
    """A need passed half or all of its target time; who was told."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    notified = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["need", "level"], name="escalation_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} @ {self.level}%"
