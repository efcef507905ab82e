from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "gotong.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from . import log_types  # noqa: F401  (declares its public log entry types)
