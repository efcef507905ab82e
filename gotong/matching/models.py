"""Matching: a kelurahan's matching policy, rounds, proposals a person confirms, and the
needs (or activity slots) a round could not match, with the reason."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel

# Which volunteer skills can serve each category of need (the first is the best fit).
DEFAULT_CATEGORY_SKILLS: dict[str, list[str]] = {
    "pangan": ["driver", "cook"],
    "kesehatan": ["nurse", "caregiver"],
    "tenaga": ["carpenter", "driver"],
    "barang": ["driver"],
    "dana": [],
    "pendidikan": ["teacher", "it"],
    "lainnya": ["caregiver", "admin"],
}


def default_category_skills() -> dict[str, list[str]]:
    return {k: list(v) for k, v in DEFAULT_CATEGORY_SKILLS.items()}


def _weight(label: Any, default: float) -> models.FloatField:
    return models.FloatField(
        label, default=default, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )


class MatchingPolicy(BaseModel):
    """A kelurahan's weights, radius, fairness window, timeouts and category skills."""

    kelurahan = models.OneToOneField(
        "territory.Kelurahan", on_delete=models.CASCADE, related_name="+"
    )
    weight_urgency = _weight(_("urgency"), 3.0)
    weight_vulnerability = _weight(_("vulnerability"), 2.0)
    weight_waiting = _weight(_("waiting time"), 1.0)
    weight_distance = _weight(_("distance"), 2.0)
    weight_skill_fit = _weight(_("skill fit"), 1.0)
    weight_reputation = _weight(_("reputation"), 0.5)
    weight_fairness = _weight(_("fairness"), 1.5)
    radius_km = models.FloatField(
        _("radius (km)"), default=2.0, validators=[MinValueValidator(0.1), MaxValueValidator(50)]
    )
    fairness_days = models.PositiveSmallIntegerField(
        _("fairness window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    invitation_timeout_hours = models.PositiveSmallIntegerField(
        _("hours a volunteer has to answer"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(336)],
    )
    round_interval_hours = models.PositiveSmallIntegerField(
        _("scheduled round every (hours, 0 = only by hand)"),
        default=12,
        validators=[MaxValueValidator(720)],
    )
    category_skills = models.JSONField(_("skills per category"), default=default_category_skills)

    class Meta:
        verbose_name = _("matching policy")
        verbose_name_plural = _("matching policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(radius_km__gt=0), name="matching_policy_radius_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kelurahan_id}: {self.radius_km} km"


class Trigger(models.TextChoices):
    OPERATOR = "operator", _("Run by an operator")
    SCHEDULE = "schedule", _("Scheduled")


class Round(BaseModel):
    """One matching round of a kelurahan: what went in, what came out, the fairness report."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    demands = models.PositiveIntegerField(default=0)
    resources = models.PositiveIntegerField(default=0)
    proposed = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    total_score = models.FloatField(default=0)
    greedy_score = models.FloatField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    weights = models.JSONField(default=dict)
    radius_km = models.FloatField(default=0)
    # Fairness report: matched share by RW, urgency and vulnerability group; reasons.
    report = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)  # why the whole round is empty
    log_index = models.PositiveBigIntegerField(null=True)

    class Meta:
        verbose_name = _("matching round")
        verbose_name_plural = _("matching rounds")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kelurahan", "-created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def gain_pct(self) -> float | None:
        if not self.greedy_score:
            return None
        return round(100 * (self.total_score - self.greedy_score) / self.greedy_score, 1)


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a newer round")
    DECLINED = "declined", _("Declined by the volunteer")
    EXPIRED = "expired", _("No answer in time")


class Proposal(BaseModel):
    """The engine's proposal: this volunteer for this need (or activity slot), with the
    score and its parts; a person confirms, edits or rejects it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="proposals")
    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(
        "needs.Need", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    slot = models.ForeignKey(
        "activities.Slot", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    resource_kind = models.CharField(max_length=12, default="volunteer")
    volunteer = models.ForeignKey(
        "registry.Volunteer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    skill = models.CharField(max_length=30, blank=True)
    score = models.FloatField()
    parts = models.JSONField(default=dict)
    distance_km = models.FloatField(null=True, blank=True)
    suggested_start = models.DateTimeField(null=True, blank=True)
    alternatives = models.JSONField(default=list)  # [{"volunteer": id, "score": x}]
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    edited = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignment = models.ForeignKey(
        "activities.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    log_index = models.PositiveBigIntegerField(null=True)

    class Meta:
        verbose_name = _("matching proposal")
        verbose_name_plural = _("matching proposals")
        ordering = ["-score", "pk"]
        indexes = [
            models.Index(fields=["kelurahan", "status"]),
            models.Index(fields=["need", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(need__isnull=False, slot__isnull=True)
                | Q(need__isnull=True, slot__isnull=False),
                name="proposal_need_or_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand} -> volunteer {self.volunteer_id}"

    @property
    def demand(self) -> str:
        return f"need:{self.need_id}" if self.need_id else f"slot:{self.slot_id}"


class UnmatchedDemand(models.Model):
    """A need or slot a round left (partly) unmatched, and the first rule that failed."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="unmatched_rows")
    need = models.ForeignKey(
        "needs.Need", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    slot = models.ForeignKey(
        "activities.Slot", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=16)
    skills = models.JSONField(default=list)
    units_missing = models.PositiveSmallIntegerField(default=1)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unmatched need")
        verbose_name_plural = _("unmatched needs")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["need", "-at"])]

    def __str__(self) -> str:
        return f"{self.need_id or self.slot_id}: {self.reason}"
