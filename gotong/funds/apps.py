from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "gotong.funds"
    label = "funds"
    verbose_name = _("Funds")

    def ready(self) -> None:
        # A kelurahan's fixed ledger accounts are made when it is created (territory does
        # not depend on funds: funds registers its part). Imported here because the
        # services need the app registry to be ready.
        from gotong.territory.services import kelurahan_created_register

        from . import log_types  # noqa: F401  (declares its public log entry types)
        from .services import accounts_ensure

        kelurahan_created_register(accounts_ensure)
