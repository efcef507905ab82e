from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "gotong.pages"
    label = "pages"
    verbose_name = _("Policy pages")

    def ready(self) -> None:
        from . import log_types  # noqa: F401  (log entry types)
