from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import LoginCode, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["role", "kelurahan", "rw", "rt", "valid_from", "valid_to"]
    autocomplete_fields = ["rw", "rt"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["phone"]
    list_display = ["phone", "display_name", "is_active", "is_staff", "is_demo", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_demo"]
    search_fields = ["phone", "display_name"]
    fieldsets = (
        (None, {"fields": ("phone", "password", "display_name", "is_demo")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("phone", "password1", "password2")}),)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "kelurahan", "rw", "rt", "valid_from", "valid_to"]
    list_filter = ["role", "kelurahan"]
    search_fields = ["user__phone", "user__display_name"]
    list_select_related = ["user", "kelurahan", "rw", "rt", "rt__rw"]
    autocomplete_fields = ["user", "rw", "rt"]


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "expires_at", "tries", "used_at"]
    readonly_fields = ["phone", "expires_at", "tries", "used_at", "requested_ip", "created_at"]
    exclude = ["code_hash"]

    def has_add_permission(self, request: object) -> bool:
        return False
