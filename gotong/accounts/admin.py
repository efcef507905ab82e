"""Accounts in the admin: roles, staff rights and login secrets are shown, never granted here.

Roles are given and ended by ``membership_grant`` / ``membership_end`` (the pages and the
API, or the action below); officers, their password, staff rights and authenticator come
from ``manage.py officer_create``. So the admin cannot make anyone an officer, a staff
member or a superuser, nor reset a password to take an account over.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from gotong.core.admin import ReadOnlyAdmin, ReadOnlyInline, concrete_field_names
from gotong.core.exceptions import ApplicationError

from .models import LoginCode, Membership, User
from .services import membership_end

_MEMBERSHIP_FIELDS = ["role", "kelurahan", "rw", "rt", "valid_from", "valid_to"]


class MembershipInline(ReadOnlyInline):
    model = Membership
    fk_name = "user"
    fields = ["role", "kelurahan", "rw", "rt", "valid_from", "valid_to"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return _MEMBERSHIP_FIELDS


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["phone"]
    list_display = ["phone", "display_name", "is_active", "is_staff", "is_demo", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_demo"]
    search_fields = ["phone", "display_name"]
    fieldsets = (
        (None, {"fields": ("phone", "display_name", "is_demo")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    # Only the display name and blocking a login are edited here (no service owns them).
    readonly_fields = [
        "password",
        "phone",
        "is_demo",
        "is_staff",
        "is_superuser",
        "groups",
        "last_login",
        "date_joined",
    ]
    inlines = [MembershipInline]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts come from a first login (login_code_verify) or manage.py officer_create.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # A password set here plus a new authenticator would take an officer's account over;
        # manage.py officer_create resets both together.
        raise PermissionDenied


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "kelurahan", "rw", "rt", "valid_from", "valid_to"]
    list_filter = ["role", "kelurahan"]
    search_fields = ["user__phone", "user__display_name"]
    list_select_related = ["user", "kelurahan", "rw", "rt", "rt__rw"]
    # ReadOnlyAdmin has no actions; this one changes state only through membership_end.
    actions = ["membership_end_today"]  # type: ignore[assignment]

    @admin.action(description=_("End the selected roles today"))
    def membership_end_today(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        """Each role ends through ``membership_end`` (who may end it, the log entry)."""
        ended = 0
        for membership in queryset.select_related("kelurahan", "rw", "rt"):
            try:
                membership_end(actor=request.user, membership=membership)
            except ApplicationError as exc:
                self.message_user(request, f"{membership}: {exc.message}", messages.ERROR)
            else:
                ended += 1
        if ended:
            self.message_user(
                request, _("%(count)s roles ended.") % {"count": ended}, messages.SUCCESS
            )


@admin.register(LoginCode)
class LoginCodeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "expires_at", "tries", "used_at"]
    exclude = ["code_hash"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f for f in concrete_field_names(LoginCode) if f != "code_hash"]


# Authenticator devices and groups grant rights: shown, never made or edited here.
admin.site.unregister(TOTPDevice)
admin.site.unregister(Group)


@admin.register(TOTPDevice)
class TOTPDeviceReadOnlyAdmin(ReadOnlyAdmin):
    list_display = TOTPDeviceAdmin.list_display
    exclude = ["key"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f for f in concrete_field_names(TOTPDevice) if f != "key"]


@admin.register(Group)
class GroupReadOnlyAdmin(ReadOnlyAdmin, GroupAdmin):
    pass
