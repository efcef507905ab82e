from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "gotong.transparency"
    label = "transparency"
    verbose_name = _("Transparency log")

    def ready(self) -> None:
        from . import log_types  # noqa: F401  (declares its public log entry types)
