"""Admin for operators: no Tier-2 value is ever shown here (they are masked); revealing one
happens on the resident's page, with a purpose, and is logged. Opening a person is logged."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    AccessChannel,
    AccessPurpose,
    Consent,
    DataAccess,
    DataRequest,
    DuplicateCase,
    Household,
    ImportBatch,
    Organisation,
    Person,
    Skill,
    Volunteer,
)
from .services import data_access_record, person_pseudonym


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["pseudonym", "kelurahan", "rt", "status", "channel", "created_at"]
    list_filter = ["kelurahan", "status", "channel"]
    list_select_related = ["kelurahan", "rt", "rt__rw"]
    exclude = ["nik_index"]
    readonly_fields = ["tier2", "status", "duplicate_of", "erased_at", "created_by", "user"]
    raw_id_fields = ["household", "rt"]

    @admin.display(description=_("pseudonym"))
    def pseudonym(self, obj: Person) -> str:
        return person_pseudonym(obj)

    @admin.display(description=_("sensitive data (Tier 2)"))
    def tier2(self, obj: Person) -> str:
        url = reverse("registry:person", kwargs={"slug": obj.kelurahan.slug, "person_id": obj.pk})
        return format_html(
            '{} · <a href="{}">{}</a>',
            _("NIK •••• (encrypted)") if obj.nik_index else "—",
            url,
            _("reveal with a purpose"),
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        person = Person.objects.filter(pk=object_id).first()
        if person is not None and request.method == "GET":
            data_access_record(
                persons=[person],
                actor=request.user,
                role="admin",
                fields=["full_name", "sex", "birth_date", "rt", "phone", "vulnerability"],
                purpose=AccessPurpose.REGISTRATION,
                channel=AccessChannel.ADMIN,
                tier=1,
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kelurahan", "rt", "size"]
    list_filter = ["kelurahan"]
    exclude = ["kk_index"]
    raw_id_fields = ["head", "rt"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "kelurahan", "status", "decided_at"]
    list_filter = ["kelurahan", "kind", "status"]
    search_fields = ["name"]


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kelurahan", "rt", "max_tasks_per_week", "is_active"]
    list_filter = ["kelurahan", "is_active", "skills"]
    raw_id_fields = ["person", "rt"]


admin.site.register(Skill)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["person", "purpose", "channel", "text_version", "granted_at", "withdrawn_at"]
    list_filter = ["purpose", "channel", "kelurahan"]
    raw_id_fields = ["person", "guardian"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataAccess)
class DataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "person", "accessor_role", "purpose", "channel", "tier"]
    list_filter = ["tier", "channel", "purpose", "kelurahan"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kelurahan", "status", "due_at", "handled_at"]
    list_filter = ["kind", "status", "kelurahan"]
    raw_id_fields = ["person", "rt"]


@admin.register(DuplicateCase)
class DuplicateCaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "score", "status", "decided_at"]
    list_filter = ["status", "kelurahan"]
    raw_id_fields = ["person", "candidate"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "kelurahan", "row_count", "error_count", "imported", "created_at"]
    readonly_fields = ["report"]
