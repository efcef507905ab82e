"""Accounts: users log in with an Indonesian mobile number; roles are memberships in territory."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.core.models import BaseModel
from gotong.territory.models import RT, RW, Kelurahan

from .phone import phone_normalize


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(phone=phone_normalize(phone), **fields)
        if password:
            user.set_password(password)
        else:
            # Residents log in with one-time codes and never have a password.
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(phone, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in. The phone number (E.164) is the login."""

    phone = models.CharField(_("mobile number"), max_length=16, unique=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    is_demo = models.BooleanField(_("demo account"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(phone__startswith="+62"), name="user_phone_e164_id"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.phone

    def clean(self) -> None:
        super().clean()
        self.phone = phone_normalize(self.phone)


class Role(models.TextChoices):
    WARGA = "warga", _("Resident")
    KETUA_RT = "ketua_rt", _("RT head")
    KETUA_RW = "ketua_rw", _("RW head")
    RELAWAN = "relawan", _("Volunteer")
    UMKM = "umkm", _("UMKM seller")
    DONATUR = "donatur", _("Donor")
    OPERATOR = "operator", _("Kelurahan operator")
    BENDAHARA = "bendahara", _("Treasurer")
    LURAH = "lurah", _("Lurah")
    KOMITE_ETIKA = "komite_etika", _("Ethics committee")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


# Officers who handle personal data or money must log in with password + TOTP; their
# memberships count only in a session verified by django-otp.
OFFICER_ROLES = frozenset(
    {Role.OPERATOR, Role.BENDAHARA, Role.LURAH, Role.KOMITE_ETIKA, Role.AUDITOR, Role.ADMIN}
)
# Which territory level each role is held at.
RT_ROLES = frozenset({Role.KETUA_RT})
RW_ROLES = frozenset({Role.KETUA_RW})
KELURAHAN_ROLES = OFFICER_ROLES


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, at: dt.date | None = None) -> "MembershipQuerySet":
        day = at or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class Membership(BaseModel):
    """A user's role in one territory unit (the kelurahan, an RW or an RT) for a period."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="memberships")
    rw = models.ForeignKey(RW, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["kelurahan_id", "role", "rw_id", "rt_id"]
        indexes = [models.Index(fields=["user", "kelurahan"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_period_ordered",
            ),
            # An RT implies its RW.
            models.CheckConstraint(
                condition=Q(rt__isnull=True) | Q(rw__isnull=False), name="membership_rt_has_rw"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.KETUA_RT) | Q(rt__isnull=False),
                name="membership_ketua_rt_has_rt",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.KETUA_RW) | (Q(rw__isnull=False) & Q(rt__isnull=True)),
                name="membership_ketua_rw_has_rw",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(KELURAHAN_ROLES)) | Q(rw__isnull=True),
                name="membership_officer_kelurahan_wide",
            ),
        ]

    def __str__(self) -> str:
        unit = f" {self.rt}" if self.rt_id else (f" {self.rw}" if self.rw_id else "")
        return f"{self.get_role_display()}{unit}"

    def covers(self, kelurahan_id: int, rw_id: int | None, rt_id: int | None) -> bool:
        """Does this membership's unit contain the given territory unit?"""
        if self.kelurahan_id != kelurahan_id:
            return False
        if self.rt_id is not None:
            return rt_id == self.rt_id
        if self.rw_id is not None:
            return rw_id == self.rw_id
        return True


class LoginCode(BaseModel):
    """A one-time code sent to a resident's phone. Only a hash of the code is stored."""

    phone = models.CharField(max_length=16, db_index=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    requested_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("login code")
        verbose_name_plural = _("login codes")
        indexes = [models.Index(fields=["requested_ip", "created_at"])]

    def __str__(self) -> str:
        return f"{self.phone[:6]}**** {self.created_at:%Y-%m-%d %H:%M}"
