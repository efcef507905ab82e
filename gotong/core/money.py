"""Money is integer rupiah everywhere; this module only formats it (and other figures) for
people and reads amounts they type."""

import re

from django.utils import formats


def rupiah_format(amount: int) -> str:
    """Format integer rupiah the Indonesian way: ``Rp 1.500.000``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(int(amount)):,}".replace(",", ".")


_RUPIAH_TYPED = re.compile(r"(?:rp\.?)?\s*(\d{1,3}(?:\.\d{3})+|\d+)\s*", re.IGNORECASE)


def rupiah_parse(text: str) -> int | None:
    """Read an amount typed the Indonesian way: "50.000", "50000", "Rp 50.000" -> 50000.

    Dots group thousands (never decimals: "50.5" is refused, as is any comma, so "50,5" can
    never silently become Rp 50 or Rp 505). Returns None when the text is not an amount.
    """
    match = _RUPIAH_TYPED.fullmatch(text.strip())
    if match is None:
        return None
    return int(match.group(1).replace(".", ""))


def decimal_format(value: float, places: int = 1) -> str:
    """A number in the person's language: "23,8" in Bahasa Indonesia, "23.8" in English,
    thousands grouped ("1.234,5")."""
    return formats.number_format(round(value, places), places, use_l10n=True, force_grouping=True)
