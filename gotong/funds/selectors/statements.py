"""Bank statement reads: imports, their lines, and what registered matchers matched. Always
for one kelurahan."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gotong.core.exceptions import NotFound
from gotong.funds.hooks import statement_matchers
from gotong.funds.models import (
    StatementImport,
)
from gotong.territory.models import Kelurahan


def statement_get(*, kelurahan: Kelurahan, pk: int) -> StatementImport:
    """A statement import of this kelurahan with its lines, or NotFound."""
    statement = (
        StatementImport.objects.filter(kelurahan=kelurahan, pk=pk)
        .prefetch_related("lines__donation")
        .first()
    )
    if statement is None:
        raise NotFound(_("No such statement in this kelurahan."))
    return statement


def statement_other_matches(*, statement: StatementImport) -> dict[int, str]:
    """What the statement's lines matched outside donations, by line id: a label from
    the matcher that recorded it (e.g. a market order's QRIS payment)."""
    ids = list(statement.lines.filter(donation__isnull=True).values_list("pk", flat=True))
    found: dict[int, str] = {}
    for _match, matched in statement_matchers():
        if ids:
            for pk, label in matched(kelurahan=statement.kelurahan, line_ids=ids).items():
                found.setdefault(pk, label)
    return found


def statement_list(*, kelurahan: Kelurahan) -> QuerySet[StatementImport]:
    """Past bank statement imports of this kelurahan, newest first."""
    return (
        StatementImport.objects.filter(kelurahan=kelurahan)
        .select_related("imported_by")
        .order_by("-created_at", "-pk")
    )
