"""The kelurahan's public fee rules."""

from gotong.territory.models import Kelurahan

from ..models import (
    MarketSettings,
)


def settings_for(kelurahan: Kelurahan) -> MarketSettings:
    """The kelurahan's fee rules (the defaults until an operator sets them)."""
    found = MarketSettings.objects.filter(kelurahan=kelurahan).first()
    return found or MarketSettings(kelurahan=kelurahan)
