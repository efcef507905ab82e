from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "gotong.territory"
    label = "territory"
    verbose_name = _("Territory")

    def ready(self) -> None:
        from . import log_types  # noqa: F401  (declares its public log entry types)
