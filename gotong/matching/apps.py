from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "gotong.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from . import log_types  # noqa: F401  (declares its public log entry types)
