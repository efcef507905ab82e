from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import DeliveryAttempt, OutboundMessage
from .services import message_retry


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["attempted_at", "succeeded", "error", "provider_reference"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template", "channel", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "channel", "template", "kelurahan"]
    # The body is safe to show (codes are placeholders); the sealed codes never are.
    readonly_fields = [f.name for f in OutboundMessage._meta.fields if f.name != "secret"]
    exclude = ["secret"]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_dead"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # Messages change only through the delivery task and the retry action (message_retry).
    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Retry dead-lettered messages"))
    def retry_dead(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        for message in queryset:
            message_retry(message=message)
        self.message_user(request, _("Retry scheduled."), messages.SUCCESS)
