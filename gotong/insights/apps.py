from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "gotong.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from . import log_types  # noqa: F401  (declares its public log entry types)
