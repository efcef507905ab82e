"""Admin base classes: state that a service owns is shown in the admin, never changed there.

Every write goes through its service (rules, transaction, log entry). A model whose
changes have a service is registered with ``ReadOnlyAdmin``; the test
``gotong/web/tests/test_admin_readonly.py`` walks every registered ModelAdmin.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest


def concrete_field_names(model: type[Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by staff with the view permission; never added, changed or deleted here."""

    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return concrete_field_names(self.model)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent, never added, changed or deleted here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return concrete_field_names(self.model)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
