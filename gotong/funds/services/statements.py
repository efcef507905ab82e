"""Bank statement import: parse the CSV, match pending donations, offer the rest to
registered matchers.
"""

import csv
import datetime as dt
import hashlib
import io
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    Conflict,
    ValidationFailed,
)
from gotong.funds.hooks import (
    statement_matchers,
)
from gotong.funds.models import (
    Channel,
    Donation,
    DonationKind,
    DonationStatus,
    StatementImport,
    StatementLine,
)
from gotong.territory.models import Kelurahan

from ..transitions import DONATION_RECORDABLE
from ._common import _fingerprint, _log, _role
from .donations import REFERENCE_RE

STATEMENT_COLUMNS = ("tanggal", "keterangan", "jumlah")
STATEMENT_MAX_BYTES = 5 * 1024 * 1024  # callers read at most one byte more
STATEMENT_MAX_ROWS = 20_000


def _statement_amount(text: str, row: int) -> int:
    raw = (text or "").strip().replace("Rp", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,00)?", raw):
        raw = raw.replace(".", "").replace(",00", "")
    elif re.fullmatch(r"\d+([.,]00)?", raw):
        raw = raw[:-3] if raw[-3:] in (".00", ",00") else raw
    if not raw.isdigit() or int(raw) <= 0:
        raise ValidationFailed(
            _("Row %(row)s: the amount must be a whole, positive number of rupiah.") % {"row": row},
            {"row": row, "column": "jumlah"},
        )
    return int(raw)


def _statement_parse(content: bytes) -> list[dict[str, Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(_("The statement must be a UTF-8 CSV file.")) from exc
    sample = text[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [(c or "").strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in STATEMENT_COLUMNS if c not in columns]
    if missing:
        raise ValidationFailed(
            _("The statement needs the columns %(needed)s; missing: %(missing)s.")
            % {"needed": ", ".join(STATEMENT_COLUMNS), "missing": ", ".join(missing)},
            {"reason": "columns", "missing": missing},
        )
    lines: list[dict[str, Any]] = []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        if len(lines) >= STATEMENT_MAX_ROWS:
            raise ValidationFailed(_("The statement has too many rows."))
        try:
            booked = dt.date.fromisoformat(row["tanggal"])
        except ValueError as exc:
            try:
                booked = dt.datetime.strptime(row["tanggal"], "%d/%m/%Y").date()  # noqa: DTZ007
            except ValueError:
                raise ValidationFailed(
                    _("Row %(row)s: the date must be YYYY-MM-DD or DD/MM/YYYY.") % {"row": number},
                    {"row": number, "column": "tanggal"},
                ) from exc
        lines.append(
            {
                "row": number,
                "booked_on": booked,
                "amount": _statement_amount(row["jumlah"], number),
                "description": row["keterangan"][:300],
                "bank_reference": row.get("referensi", "")[:60],
            }
        )
    if not lines:
        raise ValidationFailed(_("The statement has no rows."))
    return lines


@transaction.atomic
def statement_import(
    *, actor: Any, kelurahan: Kelurahan, file_name: str, content: bytes
) -> StatementImport:
    """Match incoming transfers of a bank statement CSV (tanggal, keterangan, jumlah) to
    pending donations by reference and amount; a line no donation matched is offered to
    the registered matchers (``statement_matcher_register``, e.g. market QRIS payments);
    the rest is listed as unmatched.

    Matched donations become "recorded"; the treasurer still confirms each one. What a
    matcher records (e.g. an order's payment) is recorded now, the line as its evidence.
    A refused file (bad columns, amounts, dates) records nothing.
    """
    permission_require(actor, "funds.treasury", kelurahan)
    if len(content) > STATEMENT_MAX_BYTES:
        raise ValidationFailed(
            _("The statement file is too large (at most 5 MB)."), {"field": "file"}
        )
    lines = _statement_parse(content)
    digest = hashlib.sha256(content).hexdigest()
    if StatementImport.objects.filter(kelurahan=kelurahan, file_sha256=digest).exists():
        raise Conflict(_("This statement file was already imported."))
    statement = StatementImport.objects.create(
        kelurahan=kelurahan,
        file_name=(file_name or "statement.csv")[:200],
        file_sha256=digest,
        imported_by=actor,
        lines_total=len(lines),
    )
    references = {
        ref.upper() for line in lines for ref in REFERENCE_RE.findall(line["description"])
    }
    pending = {
        d.payment_reference: d
        for d in Donation.objects.select_for_update(of=("self",)).filter(
            kelurahan=kelurahan,
            status__in=DONATION_RECORDABLE,
            kind=DonationKind.MONEY,
            payment_reference__in=references,
        )
    }
    matched = 0
    matched_other = 0
    now = timezone.now()
    for line in lines:
        donation = None
        for ref in REFERENCE_RE.findall(line["description"]):
            candidate = pending.get(ref.upper())
            if candidate is not None and candidate.amount == line["amount"]:
                donation = pending.pop(ref.upper())
                break
        stored = StatementLine.objects.create(statement=statement, donation=donation, **line)
        if donation is None:
            for match, _matched in statement_matchers():
                if match(actor=actor, kelurahan=kelurahan, line=stored):
                    matched += 1
                    matched_other += 1
                    break
        if donation is not None:
            matched += 1
            donation.status = DonationStatus.RECORDED
            donation.statement_line = stored
            donation.recorded_by = actor
            donation.recorded_at = now
            if donation.channel == Channel.CASH:
                donation.channel = Channel.BANK_TRANSFER
            donation.save(
                update_fields=[
                    "status",
                    "statement_line",
                    "recorded_by",
                    "recorded_at",
                    "channel",
                    "updated_at",
                ]
            )
    statement.lines_matched = matched
    statement.save(update_fields=["lines_matched", "updated_at"])
    _log(
        kelurahan,
        "funds.statement_imported",
        actor,
        f"statement:{statement.pk}",
        {
            "file": _fingerprint(content),
            "lines": len(lines),
            "matched": matched,
            "matched_other": matched_other,
        },
        role=_role(actor, "funds.treasury", kelurahan),
    )
    return statement
