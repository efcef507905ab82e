from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "gotong.funds"
    label = "funds"
    verbose_name = _("Funds")

    def ready(self) -> None:
        from . import log_types  # noqa: F401  (declares its public log entry types)
