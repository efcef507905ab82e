"""Registry: who lives where (Person, Household), who takes part (Organisation, Volunteer),
what they agreed to (Consent), who read their data (DataAccess), and their requests.

Data tiers (docs/ARCHITECTURE.md): Tier 1 = name, sex, birth date, RT, phone, address,
vulnerability flags, welfare status (shown only to roles that need them, every read by
someone else logged); Tier 2 = NIK, KK number, health detail, bank account (AES-GCM
``CiphertextField`` columns plus HMAC blind indexes; read only with a logged purpose).
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.core.crypto import CiphertextField
from gotong.core.models import BaseModel
from gotong.territory.models import RT, Kelurahan

# Request deadline under UU 27/2022 (3 x 24 hours).
REQUEST_DEADLINE = dt.timedelta(hours=72)


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class WelfareListing(models.TextChoices):
    YES = "yes", _("Listed in DTKS")
    NO = "no", _("Not listed in DTKS")
    UNKNOWN = "unknown", _("Unknown")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DUPLICATE = "duplicate", _("Duplicate (deactivated)")
    ERASED = "erased", _("Erased on request")


class RegistrationChannel(models.TextChoices):
    SELF = "self", _("Self-registration")
    RT_PROXY = "rt_proxy", _("Registered by the RT (proxy)")
    KIOSK = "kiosk", _("Kiosk at the kelurahan office or posyandu")
    IMPORT = "import", _("Bulk import")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other family member")


# Tier-2 columns of each model: (model attribute, blind index attribute or "").
TIER2_PERSON_FIELDS = ("nik", "health_notes", "bank_account")
TIER1_PERSON_FIELDS = (
    "full_name",
    "sex",
    "birth_date",
    "rt",
    "phone",
    "vulnerability",
    "welfare",
    "household",
)


class Household(BaseModel):
    """A family as on its Kartu Keluarga: head, members, address in an RT."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, related_name="households")
    address = models.CharField(_("address"), max_length=200, blank=True)
    size = models.PositiveSmallIntegerField(
        _("household size"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    kk_ciphertext = CiphertextField(context="registry.household.kk")
    kk_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    head = models.ForeignKey(
        "Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "kk_index"],
                condition=~Q(kk_index=""),
                name="household_kk_unique_in_kelurahan",
            ),
            models.CheckConstraint(condition=Q(size__gte=1), name="household_size_positive"),
        ]

    def __str__(self) -> str:
        return f"KK #{self.pk}"


class Person(BaseModel):
    """A resident (warga) of one kelurahan."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    relationship = models.CharField(
        _("relationship to the head"), max_length=10, choices=Relationship.choices, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="persons",
    )
    # Tier 1.
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("mobile number"), max_length=16, blank=True)
    is_elderly = models.BooleanField(_("elderly"), default=False)
    has_disability = models.BooleanField(_("disability"), default=False)
    has_chronic_illness = models.BooleanField(_("chronic illness"), default=False)
    is_pregnant = models.BooleanField(_("pregnant"), default=False)
    is_child_under_five = models.BooleanField(_("child under five"), default=False)
    lost_job = models.BooleanField(_("lost their job"), default=False)
    dtks_listed = models.CharField(
        _("listed in DTKS"),
        max_length=8,
        choices=WelfareListing.choices,
        default=WelfareListing.UNKNOWN,
    )
    welfare_decile = models.PositiveSmallIntegerField(
        _("welfare decile"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    # Tier 2 (encrypted; the index finds duplicate NIKs without decrypting).
    nik_ciphertext = CiphertextField(context="registry.person.nik")
    nik_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    health_ciphertext = CiphertextField(context="registry.person.health")
    bank_account_ciphertext = CiphertextField(context="registry.person.bank_account")
    # Lifecycle.
    status = models.CharField(
        _("status"), max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    anonymous_mode = models.BooleanField(
        _("anonymous mode"),
        default=False,
        help_text=_("Needs are shown without identity to everyone but the vouching RT."),
    )
    channel = models.CharField(
        _("registered through"), max_length=10, choices=RegistrationChannel.choices
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["kelurahan", "rt", "birth_date"]),
            models.Index(fields=["kelurahan", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "nik_index"],
                condition=~Q(nik_index=""),
                name="person_nik_unique_in_kelurahan",
            ),
            models.UniqueConstraint(
                fields=["kelurahan", "user"],
                condition=Q(user__isnull=False),
                name="person_one_per_user_in_kelurahan",
            ),
            models.CheckConstraint(
                condition=Q(welfare_decile__isnull=True)
                | Q(welfare_decile__gte=1, welfare_decile__lte=10),
                name="person_welfare_decile_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(rt__isnull=False),
                name="person_active_has_rt",
            ),
        ]

    def __str__(self) -> str:
        return f"Warga #{self.pk}"

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def is_minor(self) -> bool:
        age = self.age_on(timezone.localdate())
        return age is not None and age < 18


class OrganisationKind(models.TextChoices):
    UMKM = "umkm", _("UMKM (micro business)")
    DONOR = "donor", _("CSR / donor company")
    COMMUNITY = "community", _("Community group (PKK, Karang Taruna, ...)")
    AGENCY = "agency", _("Government agency (OPD)")
    HEALTH_POST = "health_post", _("Posyandu / puskesmas")


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Organisation(BaseModel):
    """A UMKM, donor, community group, agency or health post taking part in the kelurahan."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=1000)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact number"), max_length=16, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    rt = models.ForeignKey(
        RT,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the organisation is outside the kelurahan."),
    )
    address_outside = models.CharField(
        _("address outside the kelurahan"), max_length=200, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.PENDING,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["kelurahan", "status", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "kind", "name"], name="organisation_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Skill(BaseModel):
    """A skill on the kelurahan's managed list (driver, cook, nurse, ...)."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=60)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kelurahan", "code"], name="skill_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Volunteer(BaseModel):
    """A person who offers help: skills, weekly availability, capacity and home location."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="volunteer")
    skills = models.ManyToManyField(Skill, related_name="volunteers", blank=True)
    max_tasks_per_week = models.PositiveSmallIntegerField(
        _("most tasks per week"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(21)],
    )
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, related_name="+")
    lat = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lon = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_tasks_per_week__gte=1, max_tasks_per_week__lte=21),
                name="volunteer_tasks_per_week_range",
            )
        ]

    def __str__(self) -> str:
        return f"Relawan #{self.pk}"


class AvailabilityWindow(models.Model):
    """A weekly time window in which a volunteer can help (local time, WIB)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(
        _("day"), validators=[MaxValueValidator(6)], help_text=_("0 = Monday ... 6 = Sunday")
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="window_ordered"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="window_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class ConsentPurpose(models.TextChoices):
    AID = "aid", _("Aid distribution")
    NOTIFICATIONS = "notifications", _("Community notifications")
    MARKETPLACE = "marketplace", _("Local marketplace")
    DTKS_SHARING = "dtks_sharing", _("Sharing with DTKS/DTSen")
    PHOTOS = "photos", _("Photos in activity evidence")
    SENSITIVE_DATA = "sensitive_data", _("Keeping sensitive data (NIK, KK, health, bank)")


class ConsentChannel(models.TextChoices):
    SELF = "self", _("By the person themselves")
    RT_PROXY = "rt_proxy", _("Through the RT (proxy)")
    KIOSK = "kiosk", _("At a kiosk, on a signed paper form")
    IMPORT = "import", _("From a signed list (bulk import)")


class Consent(BaseModel):
    """A person's consent to one purpose, with the text shown, the channel and the time."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    text_version = models.CharField(_("text version"), max_length=10)
    text = models.TextField(_("text shown"))
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    evidence = models.FileField(_("photo of the signed form"), upload_to="consent/", blank=True)
    by_guardian = models.BooleanField(_("given by a parent or guardian"), default=False)
    guardian = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["person_id", "purpose", "-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_in_force_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.text_version})"


class AccessPurpose(models.TextChoices):
    AID_VERIFICATION = "aid_verification", _("Verifying an aid request")
    AID_DELIVERY = "aid_delivery", _("Delivering aid")
    REGISTRATION = "registration", _("Registration and data upkeep")
    DUPLICATE_CHECK = "duplicate_check", _("Checking a possible duplicate")
    DATA_REQUEST = "data_request", _("Answering the person's data request")
    DTKS_REPORTING = "dtks_reporting", _("Reporting to DTKS/DTSen")
    EMERGENCY = "emergency", _("Emergency")
    NEIGHBOURHOOD = "neighbourhood", _("RT/RW neighbourhood work")


class AccessChannel(models.TextChoices):
    PAGE = "page", _("Web page")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    ADMIN = "admin", _("Admin site")


class DataAccess(models.Model):
    """One read of a person's data by someone else: who, in which role, what, why, when."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="accesses")
    accessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accessor_role = models.CharField(_("role"), max_length=20)
    fields = models.JSONField(_("fields"), default=list)
    tier = models.PositiveSmallIntegerField(_("tier"), default=1)
    purpose = models.CharField(_("purpose"), max_length=20, choices=AccessPurpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=AccessChannel.choices)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("data access")
        verbose_name_plural = _("data accesses")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "-at"])]

    def __str__(self) -> str:
        return f"{self.accessor_role} {self.purpose} {self.at:%Y-%m-%d %H:%M}"


class DataRequestKind(models.TextChoices):
    EXPORT = "export", _("Copy of my data")
    CORRECTION = "correction", _("Correction")
    ERASURE = "erasure", _("Erasure")


class DataRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")


class DataRequest(BaseModel):
    """A data subject's request (UU 27/2022): answered within 3 x 24 hours."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="requests")
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=DataRequestKind.choices)
    details = models.TextField(_("what should change"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DataRequestStatus.choices,
        default=DataRequestStatus.OPEN,
    )
    due_at = models.DateTimeField(_("answer due"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(_("answer"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["kelurahan", "status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status == DataRequestStatus.OPEN and self.due_at < timezone.now()


class DuplicateCaseStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a decision")
    UNIQUE = "unique", _("Different people")
    DUPLICATE = "duplicate", _("Same person (duplicate deactivated)")
    SAME_HOUSEHOLD = "same_household", _("Same household")


class DuplicateCase(BaseModel):
    """Two records that may be one person, for an operator to decide."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("name similarity (0-100)"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DuplicateCaseStatus.choices,
        default=DuplicateCaseStatus.OPEN,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["status", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "candidate"], name="duplicate_case_pair"),
            models.CheckConstraint(
                condition=~Q(person=models.F("candidate")), name="duplicate_case_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.person_id} ~ #{self.candidate_id}"


class ImportBatch(BaseModel):
    """A bulk import of residents and households: the file's digest and its row report."""

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    imported = models.BooleanField(default=False)
    # One entry per row: {"row": n, "status": "ok"|"error", "errors": [...], "person_id": id}.
    # Messages name the column and the problem, never the value.
    report = models.JSONField(default=list)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.row_count})"
