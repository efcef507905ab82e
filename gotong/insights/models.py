"""Insights: every use of a household's score in a decision, confirmed by a person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel


class ReviewPurpose(models.TextChoices):
    EARLY_WARNING = "early_warning", _("Early warning: visit the household / propose for DTKS")
    PRIORITY = "priority", _("Priority of this household's needs")


class ReviewDecision(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed: act on it")
    DISMISSED = "dismissed", _("Dismissed: the score does not fit this household")


class ScoreReview(BaseModel):
    """A person looked at a household's score and decided whether to act on it."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ReviewPurpose.choices)
    decision = models.CharField(_("decision"), max_length=12, choices=ReviewDecision.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    score_total = models.PositiveSmallIntegerField()
    # The factors as shown to the reviewer (codes and points; not in the public log).
    score_parts = models.JSONField(default=list)
    model_version = models.CharField(max_length=16)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20)
    log_index = models.PositiveBigIntegerField(null=True)

    class Meta:
        verbose_name = _("score review")
        verbose_name_plural = _("score reviews")
        indexes = [models.Index(fields=["kelurahan", "household", "created_at"])]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.decision} ({self.purpose})"
