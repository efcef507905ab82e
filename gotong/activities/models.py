"""Activities (kegiatan): gotong royong actions that serve needs or a community purpose,
their volunteers, resources, proof, sign-offs by independent verifiers, and ratings."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel

if TYPE_CHECKING:
    from gotong.needs.models import Need


class Kind(models.TextChoices):
    DELIVERY = "delivery", _("Aid delivery")
    KERJA_BAKTI = "kerja_bakti", _("Kerja bakti (community work)")
    POSYANDU = "posyandu", _("Mobile posyandu")
    TRAINING = "training", _("Training")
    MARKET = "market", _("Market day")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED = "reported", _("Done, waiting for sign-off")
    SIGNED_OFF = "signed_off", _("Signed off")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Layer(models.TextChoices):
    """The sign-off layers: the executor, the RT head, the RW head, independent verifiers."""

    EXECUTOR = "executor", _("Executor")
    RT = "rt", _("RT head")
    RW = "rw", _("RW head")
    INDEPENDENT = "independent", _("Independent verifier")


class AssignmentStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ResourceKind(models.TextChoices):
    GOODS = "goods", _("Goods (in kind)")
    FUNDS = "funds", _("Funds")
    UMKM_PRODUCT = "umkm_product", _("UMKM product")


class ActivityPolicy(BaseModel):
    """A kelurahan's sign-off rules: how many independent verifiers, and their rotation."""

    kelurahan = models.OneToOneField(
        "territory.Kelurahan", on_delete=models.CASCADE, related_name="+"
    )
    verifiers_required = models.PositiveSmallIntegerField(
        _("independent verifiers required"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    rotation_max = models.PositiveSmallIntegerField(
        _("sign-offs of the same executor per verifier"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("A verifier signs off at most this many activities of one executor"),
    )
    rotation_days = models.PositiveSmallIntegerField(
        _("rotation window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("activity policy")
        verbose_name_plural = _("activity policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(verifiers_required__gte=1), name="policy_verifiers_positive"
            ),
            models.CheckConstraint(
                condition=Q(rotation_max__gte=1), name="policy_rotation_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"K={self.verifiers_required}, N={self.rotation_max}/{self.rotation_days}d"


class Activity(BaseModel):
    """A planned action in one RT: schedule, place, coordinator, needs served, slots."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    rt = models.ForeignKey("territory.RT", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    purpose = models.CharField(
        _("community purpose"),
        max_length=300,
        blank=True,
        help_text=_("What the activity is for when it serves no individual need."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place_note = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coordinator"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    status_changed_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    receipt_code = models.CharField(_("receipt code"), max_length=16, blank=True)
    needs: "models.ManyToManyField[Need, ActivityNeed]" = models.ManyToManyField(
        "needs.Need", through="ActivityNeed", related_name="activities", blank=True
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["kelurahan", "status", "starts_at"]),
            models.Index(fields=["coordinator", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activity_ordered"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="activity_gps_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def subject(self) -> str:
        """The transparency subject of the activity (evidence and log entries)."""
        return f"activity:{self.pk}"


class ActivityNeed(models.Model):
    """A need served by an activity (a need is served by one open activity at a time)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="links")
    need = models.ForeignKey("needs.Need", on_delete=models.PROTECT, related_name="activity_links")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("need served")
        verbose_name_plural = _("needs served")
        constraints = [
            models.UniqueConstraint(fields=["activity", "need"], name="activity_need_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} -> need {self.need_id}"


class Slot(models.Model):
    """How many volunteers with one skill the activity needs (e.g. 2 x admin)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="slots")
    skill = models.ForeignKey("registry.Skill", on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField(
        _("volunteers"), validators=[MinValueValidator(1), MaxValueValidator(50)]
    )

    class Meta:
        verbose_name = _("volunteer slot")
        verbose_name_plural = _("volunteer slots")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "skill"], name="slot_skill_unique"),
            models.CheckConstraint(condition=Q(count__gte=1), name="slot_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.count} x {self.skill_id}"


class Assignment(BaseModel):
    """A volunteer invited to a slot: their answer and their check-in and check-out times."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="assignments")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(
        "registry.Volunteer", on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField(
        max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"], name="assignment_once_per_activity"
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False),
                name="assignment_out_after_in",
            ),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status="accepted"),
                name="assignment_checkin_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: volunteer {self.volunteer_id} ({self.status})"


class ResourceLink(models.Model):
    """Goods, funds or a UMKM product used by the activity, as a typed reference.

    ``external_id`` points into the funds or market module once they exist; the
    organisation is the UMKM (or donor) that provides it, for its reputation.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices)
    external_id = models.CharField(_("reference"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit = models.CharField(_("unit"), max_length=30, default="paket")
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provided by"),
    )

    class Meta:
        verbose_name = _("resource used")
        verbose_name_plural = _("resources used")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="resource_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.external_id} x {self.quantity}"


class SignOff(models.Model):
    """One signature on an activity's proof, in one layer."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signoffs")
    layer = models.CharField(max_length=12, choices=Layer.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    # Whose work was verified (the coordinator), kept for the rotation rule.
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    log_index = models.PositiveBigIntegerField(null=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["signer", "executor", "layer", "at"])]
        constraints = [
            # One signature per person per activity, whatever the layer.
            models.UniqueConstraint(fields=["activity", "signer"], name="signoff_once_per_signer"),
            models.UniqueConstraint(
                fields=["activity", "layer"],
                condition=~Q(layer="independent"),
                name="signoff_layer_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.layer}"


class ConflictDeclaration(BaseModel):
    """A user declares a conflict of interest with a person or a household."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts_declared"
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, household__isnull=True)
                | Q(person__isnull=True, household__isnull=False),
                name="conflict_person_or_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} x {self.person_id or self.household_id}"


class ReceiptCode(BaseModel):
    """A one-time code sent to a beneficiary's phone to confirm receipt (hash only)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    need = models.ForeignKey("needs.Need", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("receipt confirmation code")
        verbose_name_plural = _("receipt confirmation codes")
        indexes = [models.Index(fields=["need", "created_at"])]

    def __str__(self) -> str:
        return f"need {self.need_id} {self.created_at:%Y-%m-%d %H:%M}"


class Rating(BaseModel):
    """The beneficiary's (or the RT head's, for them) 1-5 rating of the help for a need."""

    kelurahan = models.ForeignKey("territory.Kelurahan", on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="ratings")
    need = models.ForeignKey("needs.Need", on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    on_behalf = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["activity", "need"], name="rating_once_per_need"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.need_id}: {self.stars}"
