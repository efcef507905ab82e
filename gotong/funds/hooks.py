"""Seams other apps plug into funds through (funds depends on none of them).

Statement matchers: an app that is paid by bank transfer (the market) registers, in its
``AppConfig.ready``, a matcher for statement lines no donation matched. Kept out of the
services so that selectors may read the registry without importing a service.
"""

from collections.abc import Callable

# Other apps match statement lines that no donation matched (e.g. the market's QRIS
# payments), without funds depending on them: each registers a matcher once (in its
# AppConfig.ready) with ``statement_matcher_register``.
#   match(actor=, kelurahan=, line=StatementLine) -> bool: records what the line paid
#     (the line is the evidence) and returns True, or returns False and changes nothing;
#   matched(kelurahan=, line_ids=) -> {line id: label}: what each line paid, for pages
#     (ids and codes only, no personal data).
StatementMatch = Callable[..., bool]
StatementMatched = Callable[..., dict[int, str]]
_STATEMENT_MATCHERS: list[tuple[StatementMatch, StatementMatched]] = []


def statement_matcher_register(match: StatementMatch, *, matched: StatementMatched) -> None:
    """Add a matcher for statement lines no donation matched (once; registering the
    same function again is ignored)."""
    if all(m is not match for m, _r in _STATEMENT_MATCHERS):
        _STATEMENT_MATCHERS.append((match, matched))


def statement_matchers() -> list[tuple[StatementMatch, StatementMatched]]:
    """The registered matchers, in registration order."""
    return list(_STATEMENT_MATCHERS)
