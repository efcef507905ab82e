from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "gotong.market"
    label = "market"
    verbose_name = _("Pasar Gotong Royong")

    def ready(self) -> None:
        # The funds bank-statement import matches QRIS payments of market orders too
        # (funds does not depend on market: market registers its matcher). Imported here,
        # not at the top: services import models, which exist only once apps are ready.
        from gotong.funds.services.market_port import statement_matcher_register

        from . import (
            evidence_rules,  # noqa: F401  (who sees an order's photos)
            log_types,  # noqa: F401  (declares its public log entry types)
        )
        from .selectors import statement_line_orders
        from .services import statement_line_match

        statement_matcher_register(statement_line_match, matched=statement_line_orders)
