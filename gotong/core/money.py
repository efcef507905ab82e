"""Money is integer rupiah everywhere; this module only formats it for people."""


def rupiah_format(amount: int) -> str:
    """Format integer rupiah the Indonesian way: ``Rp 1.500.000``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(int(amount)):,}".replace(",", ".")
