"""Admin for operators: the registry is shown here, changed only through its services.

Registrations, corrections, consents, requests, duplicate decisions and imports have their
pages (with their rules and log entries); the admin is read-only except for approving or
rejecting organisations through ``organisation_decide``. No Tier-2 value is ever shown here
(they are masked); revealing one happens on the resident's page, with a purpose, and is
logged. Opening a person is logged.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gotong.core.admin import ReadOnlyAdmin, concrete_field_names
from gotong.core.exceptions import ApplicationError

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
from .services import data_access_record, organisation_decide, person_pseudonym

# Encrypted columns and their blind indexes never reach a page, not even as tokens.
_PERSON_HIDDEN = {"nik_ciphertext", "nik_index", "health_ciphertext", "bank_account_ciphertext"}
_HOUSEHOLD_HIDDEN = {"kk_ciphertext", "kk_index"}


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["pseudonym", "kelurahan", "rt", "status", "channel", "created_at"]
    list_filter = ["kelurahan", "status", "channel"]
    list_select_related = ["kelurahan", "rt", "rt__rw"]
    exclude = sorted(_PERSON_HIDDEN)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        shown = [f for f in concrete_field_names(Person) if f not in _PERSON_HIDDEN]
        return [*shown, "tier2"]

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
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kelurahan", "rt", "size"]
    list_filter = ["kelurahan"]
    exclude = sorted(_HOUSEHOLD_HIDDEN)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f for f in concrete_field_names(Household) if f not in _HOUSEHOLD_HIDDEN]


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "kelurahan", "status", "decided_at"]
    list_filter = ["kelurahan", "kind", "status"]
    search_fields = ["name"]
    # ReadOnlyAdmin has no actions; these change state only through organisation_decide.
    actions = ["organisation_approve", "organisation_reject"]  # type: ignore[assignment]

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[Organisation], approve: bool
    ) -> None:
        decided = 0
        for organisation in queryset.select_related("kelurahan"):
            try:
                organisation_decide(actor=request.user, organisation=organisation, approve=approve)
            except ApplicationError as exc:
                self.message_user(request, f"{organisation}: {exc.message}", messages.ERROR)
            else:
                decided += 1
        if decided:
            self.message_user(
                request,
                _("%(count)s organisations decided.") % {"count": decided},
                messages.SUCCESS,
            )

    @admin.action(description=_("Approve the selected organisations"))
    def organisation_approve(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        """Each approval goes through ``organisation_decide`` (operator rule, log entry)."""
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject the selected organisations"))
    def organisation_reject(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        """Each rejection goes through ``organisation_decide`` (operator rule, log entry)."""
        self._decide(request, queryset, approve=False)


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kelurahan", "rt", "max_tasks_per_week", "is_active"]
    list_filter = ["kelurahan", "is_active", "skills"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    """No service edits the skill list after its defaults: operators rename or retire a
    skill here. The code and the kelurahan stay fixed (volunteers and slots refer to them)."""

    list_display = ["name", "code", "kelurahan", "is_active"]
    list_filter = ["kelurahan", "is_active"]
    fields = ["kelurahan", "code", "name", "is_active"]
    readonly_fields = ["kelurahan", "code"]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["person", "purpose", "channel", "text_version", "granted_at", "withdrawn_at"]
    list_filter = ["purpose", "channel", "kelurahan"]


@admin.register(DataAccess)
class DataAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "person", "accessor_role", "purpose", "channel", "tier"]
    list_filter = ["tier", "channel", "purpose", "kelurahan"]


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    """Answered on the requests queue (``data_request_resolve``: who may, the deadline, the
    log entry)."""

    list_display = ["__str__", "kelurahan", "status", "due_at", "handled_at"]
    list_filter = ["kind", "status", "kelurahan"]


@admin.register(DuplicateCase)
class DuplicateCaseAdmin(ReadOnlyAdmin):
    """Decided on the duplicates page (``duplicate_case_decide``: merges records, logs)."""

    list_display = ["__str__", "score", "status", "decided_at"]
    list_filter = ["status", "kelurahan"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "kelurahan", "row_count", "error_count", "imported", "created_at"]
