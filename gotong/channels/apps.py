from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "gotong.channels"
    label = "gotong_channels"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
