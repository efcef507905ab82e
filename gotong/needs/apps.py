from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "gotong.needs"
    label = "needs"
    verbose_name = _("Needs")

    def ready(self) -> None:
        from . import evidence_rules, log_types  # noqa: F401  (log entry types; who may give evidence)
