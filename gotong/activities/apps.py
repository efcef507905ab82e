from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "gotong.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from . import evidence_rules, log_types  # noqa: F401  (log entry types; who may give evidence)
