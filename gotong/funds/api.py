"""Funds API: campaigns and reports (public), donations (donors), money in and out
(treasurer), vouchers (operators, UMKM), goods. Money endpoints take an Idempotency-Key."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from gotong.accounts.permissions import api_route
from gotong.core.exceptions import NotFound
from gotong.core.schemas import MAX_OFFSET, StrictId, StrictInt, StrictInt64
from gotong.registry import selectors as registry_selectors
from gotong.territory import selectors as territory_selectors
from gotong.territory.middleware import request_kelurahan

from . import selectors, services
from .models import Category, Channel, DonationKind, DonationTarget
from .pdf import monthly_report_pdf

router = Router(tags=["funds"])
PREFIX = "/k/{slug}/funds"


def _key(request: HttpRequest) -> str | None:
    return request.headers.get("Idempotency-Key") or None


class CampaignIn(Schema):
    title: str = Field(..., max_length=120)
    purpose: str = Field(..., max_length=1000)
    target_amount: StrictInt64
    starts_on: dt.date
    ends_on: dt.date
    owner_kind: str = "kelurahan"
    owner_rw_id: StrictId | None = None
    earmark_kind: str = ""
    earmark_rw_id: StrictId | None = None
    earmark_category: str = ""
    earmark_activity_id: StrictId | None = None


class CampaignOut(Schema):
    id: int
    title: str
    purpose: str
    target_amount: int
    starts_on: dt.date
    ends_on: dt.date
    status: str
    earmark_kind: str
    earmark_category: str
    raised: int  # money only, as in the summary
    matched: int
    goods_in: int  # declared value of goods received
    spent: int
    balance: int
    donors: int


class SpendOut(Schema):
    at: dt.datetime
    kind: str
    amount: int
    activity_id: int | None
    receipt_code: str
    purpose: str
    category: str
    log_index: int | None


class CampaignReportOut(Schema):
    campaign: CampaignOut
    spending: list[SpendOut]
    donors: list[tuple[str, int, dt.datetime]]


class SummaryOut(Schema):
    raised: int
    matched: int
    spent: int
    spent_outside_campaigns: int
    balance: int
    operational_balance: int
    vouchers_outstanding: int
    owed_to_umkm: int
    goods_value_in: int
    goods_value_out: int


class DonationIn(Schema):
    amount: StrictInt64
    target: DonationTarget = DonationTarget.CAMPAIGN
    campaign_id: StrictId | None = None
    kind: DonationKind = DonationKind.MONEY
    channel: Channel = Channel.QRIS
    is_anonymous: bool = False
    public_name: str = Field("", max_length=100)
    goods_name: str = Field("", max_length=100)
    goods_unit: str = Field("", max_length=20)
    goods_quantity: StrictInt64 | None = None
    goods_category: str = ""
    goods_expires_on: dt.date | None = None


class DonationOut(Schema):
    id: int
    payment_reference: str
    amount: int
    status: str
    kind: str
    campaign_id: int | None
    qris_payload: str | None = None


class ConfirmIn(Schema):
    donation_id: int


class RedeemIn(Schema):
    code: str = Field(..., max_length=200, description="typed code or the scanned QR text")
    amount: StrictInt64 | None = None


class RedemptionOut(Schema):
    id: int
    voucher_hint: str
    amount: int
    transfer_id: int


class VoucherIssueIn(Schema):
    source_account_id: StrictId
    category: Category
    value: StrictInt64
    count: StrictInt = Field(1, ge=1, le=500)
    rt_id: StrictId
    household_id: StrictId | None = None
    allow_partial: bool = False
    valid_days: StrictInt = Field(30, ge=1, le=366)


class VoucherIssuedOut(Schema):
    id: int
    code: str
    qr_payload: str
    value: int
    expires_at: dt.datetime


class ApproveOut(Schema):
    id: int
    status: str
    approvals: int


class ReportLineOut(Schema):
    code: str
    name: str
    kind: str
    opening: int
    debits: int
    credits: int
    closing: int


class MonthlyOut(Schema):
    year: int
    month: int
    transfers: int
    reconciled: bool
    lines: list[ReportLineOut]


class StatementOut(Schema):
    id: int
    lines_total: int
    lines_matched: int
    matched_other: list[dict[str, Any]]  # lines matched outside donations (market orders)
    unmatched: list[dict[str, Any]]


def _campaign_out(summary: selectors.CampaignSummary) -> dict[str, Any]:
    c = summary.campaign
    return {
        "id": c.pk,
        "title": c.title,
        "purpose": c.purpose,
        "target_amount": c.target_amount,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "status": c.status,
        "earmark_kind": c.earmark_kind,
        "earmark_category": c.earmark_category,
        "raised": summary.raised,
        "matched": summary.matched,
        "goods_in": summary.goods_in,
        "spent": summary.spent,
        "balance": summary.balance,
        "donors": summary.donors,
    }


@api_route(router.get, f"{PREFIX}/summary", perm="funds.view_public", response=SummaryOut)
def summary(request: HttpRequest, slug: str) -> Any:
    """Money raised, matched, spent and held in the kelurahan (public)."""
    return selectors.funds_summary(kelurahan=request_kelurahan(request)).__dict__


@api_route(router.get, f"{PREFIX}/campaigns", perm="funds.view_public", response=list[CampaignOut])
def campaign_list(request: HttpRequest, slug: str) -> Any:
    """Campaigns with their public figures."""
    kelurahan = request_kelurahan(request)
    return [_campaign_out(s) for s in selectors.campaign_summaries(kelurahan=kelurahan)]


@api_route(
    router.post,
    f"{PREFIX}/campaigns",
    perm="funds.manage_campaigns",
    response={201: CampaignOut},
)
def campaign_create(request: HttpRequest, slug: str, payload: CampaignIn) -> Any:
    """Open a campaign (RW heads for their RW, operators)."""
    kelurahan = request_kelurahan(request)
    rw = {rw.pk: rw for rw in territory_selectors.rw_list(kelurahan=kelurahan)}
    campaign = services.campaign_create(
        actor=request.user,
        kelurahan=kelurahan,
        title=payload.title,
        purpose=payload.purpose,
        target_amount=payload.target_amount,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        owner_kind=payload.owner_kind,
        owner_rw=rw.get(payload.owner_rw_id or 0),
        earmark_kind=payload.earmark_kind,
        earmark_rw=rw.get(payload.earmark_rw_id or 0),
        earmark_category=payload.earmark_category,
        earmark_activity_id=payload.earmark_activity_id,
    )
    summary = next(
        s for s in selectors.campaign_summaries(kelurahan=kelurahan) if s.campaign.pk == campaign.pk
    )
    return Status(201, _campaign_out(summary))


@api_route(
    router.get,
    f"{PREFIX}/campaigns/{{campaign_id}}",
    perm="funds.view_public",
    response=CampaignReportOut,
)
def campaign_report(request: HttpRequest, slug: str, campaign_id: int) -> Any:
    """A campaign's public report: money in, matched, spent with receipts, balance."""
    campaign = selectors.campaign_get(kelurahan=request_kelurahan(request), pk=campaign_id)
    report = selectors.campaign_report(campaign=campaign)
    return {
        "campaign": _campaign_out(report.summary),
        "spending": [s.__dict__ for s in report.spending],
        "donors": report.donors_public,
    }


@api_route(router.post, f"{PREFIX}/donations", perm="funds.donate", response={201: DonationOut})
def donation_create(request: HttpRequest, slug: str, payload: DonationIn) -> Any:
    """Give money (get a payment reference and a QRIS code) or goods."""
    kelurahan = request_kelurahan(request)
    campaign = (
        selectors.campaign_get(kelurahan=kelurahan, pk=payload.campaign_id)
        if payload.campaign_id
        else None
    )
    donation = services.donation_create(
        kelurahan=kelurahan,
        donor=request.user,
        amount=payload.amount,
        target=payload.target,
        campaign=campaign,
        kind=payload.kind,
        channel=payload.channel,
        is_anonymous=payload.is_anonymous,
        public_name=payload.public_name,
        goods_name=payload.goods_name,
        goods_unit=payload.goods_unit,
        goods_quantity=payload.goods_quantity,
        goods_category=payload.goods_category,
        goods_expires_on=payload.goods_expires_on,
    )
    return Status(201, _donation_out(donation))


def _donation_out(donation: Any) -> dict[str, Any]:
    return {
        "id": donation.pk,
        "payment_reference": donation.payment_reference,
        "amount": donation.amount,
        "status": donation.status,
        "kind": donation.kind,
        "campaign_id": donation.campaign_id,
        "qris_payload": services.donation_qris_payload(donation=donation),
    }


@api_route(router.get, f"{PREFIX}/donations/mine", perm="funds.donate", response=list[DonationOut])
def donation_mine(request: HttpRequest, slug: str) -> Any:
    """The caller's own donations."""
    kelurahan = request_kelurahan(request)
    return [
        _donation_out(d)
        for d in selectors.donation_list_for_user(kelurahan=kelurahan, user=request.user)[:100]
    ]


@api_route(
    router.post,
    f"{PREFIX}/donations/{{donation_id}}/confirm",
    perm="funds.treasury",
    response=DonationOut,
)
def donation_confirm(request: HttpRequest, slug: str, donation_id: int) -> Any:
    """The treasurer confirms a recorded donation (Idempotency-Key header)."""
    donation = selectors.donation_get(kelurahan=request_kelurahan(request), pk=donation_id)
    donation = services.donation_confirm(
        actor=request.user, donation=donation, idempotency_key=_key(request)
    )
    return _donation_out(donation)


@api_route(
    router.post,
    f"{PREFIX}/donations/{{donation_id}}/record",
    perm="funds.treasury",
    response=DonationOut,
)
def donation_record(
    request: HttpRequest,
    slug: str,
    donation_id: int,
    receipt: File[UploadedFile],
    channel: Form[str] = "bank",
) -> Any:
    """The treasurer records a bank transfer or cash for a pending donation, with a photo
    of the receipt (multipart/form-data: ``receipt`` file, ``channel`` bank or cash). A
    receipt photo already used for another donation is refused (409)."""
    kelurahan = request_kelurahan(request)
    donation = selectors.donation_get(kelurahan=kelurahan, pk=donation_id)
    donation = services.donation_record(
        actor=request.user,
        kelurahan=kelurahan,
        donation=donation,
        receipt=receipt,
        channel=channel,
    )
    return _donation_out(donation)


@api_route(router.post, f"{PREFIX}/statements", perm="funds.treasury", response={201: StatementOut})
def statement_import(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
) -> Any:
    """Import a bank statement CSV (tanggal, keterangan, jumlah[, referensi])."""
    kelurahan = request_kelurahan(request)
    statement = services.statement_import(
        actor=request.user,
        kelurahan=kelurahan,
        file_name=file.name or "",
        content=file.read(services.STATEMENT_MAX_BYTES + 1),
    )
    other = selectors.statement_other_matches(statement=statement)
    lines = list(statement.lines.filter(donation__isnull=True))
    return Status(
        201,
        {
            "id": statement.pk,
            "lines_total": statement.lines_total,
            "lines_matched": statement.lines_matched,
            "matched_other": [
                {"row": line.row, "amount": line.amount, "matched": other[line.pk]}
                for line in lines
                if line.pk in other
            ],
            "unmatched": [
                {
                    "row": line.row,
                    "booked_on": line.booked_on.isoformat(),
                    "amount": line.amount,
                    "description": line.description,
                }
                for line in lines
                if line.pk not in other
            ],
        },
    )


@api_route(
    router.post, f"{PREFIX}/vouchers", perm="funds.operate", response={201: list[VoucherIssuedOut]}
)
def voucher_issue(request: HttpRequest, slug: str, payload: VoucherIssueIn) -> Any:
    """Issue vouchers; the codes are in this answer only (Idempotency-Key header)."""
    kelurahan = request_kelurahan(request)
    source = selectors.account_get(kelurahan=kelurahan, pk=payload.source_account_id)
    rt = territory_selectors.rt_get(kelurahan=kelurahan, pk=payload.rt_id)
    household = None
    if payload.household_id:
        household = registry_selectors.household_get(kelurahan=kelurahan, pk=payload.household_id)
    issued = services.voucher_issue(
        actor=request.user,
        source=source,
        category=payload.category,
        value=payload.value,
        count=payload.count,
        rt=rt,
        household=household,
        allow_partial=payload.allow_partial,
        valid_days=payload.valid_days,
        idempotency_key=_key(request),
        link_base=request.build_absolute_uri("/"),
    )
    return Status(
        201,
        [
            {
                "id": v.pk,
                "code": code,
                "qr_payload": services.voucher_qr_payload(code),
                "value": v.value,
                "expires_at": v.expires_at,
            }
            for v, code in issued
        ],
    )


@api_route(router.post, f"{PREFIX}/vouchers/redeem", perm="funds.redeem", response=RedemptionOut)
def voucher_redeem(request: HttpRequest, slug: str, payload: RedeemIn) -> Any:
    """A UMKM redeems a voucher (Idempotency-Key header: a retry is answered, not repeated)."""
    redemption = services.voucher_redeem(
        actor=request.user,
        kelurahan=request_kelurahan(request),
        code=payload.code,
        amount=payload.amount,
        idempotency_key=_key(request),
        ip=request.META.get("REMOTE_ADDR"),
    )
    return {
        "id": redemption.pk,
        "voucher_hint": redemption.voucher.code_hint,
        "amount": redemption.amount,
        "transfer_id": redemption.transfer_id,
    }


@api_route(
    router.post,
    f"{PREFIX}/disbursements/{{disbursement_id}}/approve",
    perm="funds.approve",
    response=ApproveOut,
)
def disbursement_approve(request: HttpRequest, slug: str, disbursement_id: int) -> Any:
    """One of the two approvals of a payment (never the requester, never twice)."""
    row = selectors.disbursement_get(kelurahan=request_kelurahan(request), pk=disbursement_id)
    row = services.disbursement_approve(actor=request.user, disbursement=row)
    return {"id": row.pk, "status": row.status, "approvals": row.approvals.count()}


@api_route(
    router.post,
    f"{PREFIX}/disbursements/{{disbursement_id}}/pay",
    perm="funds.treasury",
    response=ApproveOut,
)
def disbursement_pay(
    request: HttpRequest,
    slug: str,
    disbursement_id: int,
    proof: File[UploadedFile],
) -> Any:
    """The treasurer pays an approved payment with a photo of the proof
    (multipart/form-data: ``proof`` file; Idempotency-Key header)."""
    row = selectors.disbursement_get(kelurahan=request_kelurahan(request), pk=disbursement_id)
    row = services.disbursement_pay(
        actor=request.user, disbursement=row, proof=proof, idempotency_key=_key(request)
    )
    return {"id": row.pk, "status": row.status, "approvals": row.approvals.count()}


class AccountOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    balance: int = Field(..., description="natural balance in rupiah")


class PostingOut(Schema):
    account_id: int
    account_code: str
    amount: int = Field(..., description="debit positive, credit negative")


class TransferOut(Schema):
    id: int
    kind: str
    amount: int
    memo: str
    created_at: dt.datetime
    campaign_id: int | None
    activity_id: int | None
    receipt_code: str
    reverses_id: int | None
    reversed_by_id: int | None = None
    postings: list[PostingOut]


class TransferQuery(Schema):
    account_id: int | None = None
    kind: str = ""
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ReverseIn(Schema):
    reason: str = Field(..., max_length=150)


def _transfer_out(transfer: Any, postings: list[Any], reversed_by_id: int | None) -> dict[str, Any]:
    return {
        "id": transfer.pk,
        "kind": transfer.kind,
        "amount": transfer.amount,
        "memo": transfer.memo,
        "created_at": transfer.created_at,
        "campaign_id": transfer.campaign_id,
        "activity_id": transfer.activity_id,
        "receipt_code": transfer.receipt_code,
        "reverses_id": transfer.reverses_id,
        "reversed_by_id": reversed_by_id,
        "postings": [
            {"account_id": p.account_id, "account_code": p.account.code, "amount": p.amount}
            for p in postings
        ],
    }


@api_route(router.get, f"{PREFIX}/accounts", perm="funds.view_ledger", response=list[AccountOut])
def account_list(request: HttpRequest, slug: str) -> Any:
    """Every ledger account of the kelurahan with its balance (officers, auditors)."""
    return list(selectors.account_list(kelurahan=request_kelurahan(request)))


@api_route(router.get, f"{PREFIX}/transfers", perm="funds.view_ledger", response=list[TransferOut])
def transfer_list(request: HttpRequest, slug: str, query: Query[TransferQuery]) -> Any:
    """Transfers with their postings, newest first (limit/offset; account and kind filter)."""
    kelurahan = request_kelurahan(request)
    account = (
        selectors.account_get(kelurahan=kelurahan, pk=query.account_id)
        if query.account_id
        else None
    )
    transfers = selectors.transfer_list(kelurahan=kelurahan, account=account, kind=query.kind)
    page = list(transfers[query.offset : query.offset + query.limit])
    reversed_by = selectors.transfer_reversals(kelurahan=kelurahan, transfers=page)
    return [_transfer_out(t, list(t.postings.all()), reversed_by.get(t.pk)) for t in page]


@api_route(
    router.get,
    f"{PREFIX}/transfers/{{transfer_id}}",
    perm="funds.view_ledger",
    response=TransferOut,
)
def transfer_detail(request: HttpRequest, slug: str, transfer_id: int) -> Any:
    """One transfer with its postings and the correction that reversed it, if any."""
    detail = selectors.transfer_detail(kelurahan=request_kelurahan(request), pk=transfer_id)
    return _transfer_out(
        detail.transfer, detail.postings, detail.reversal.pk if detail.reversal else None
    )


@api_route(
    router.post,
    f"{PREFIX}/transfers/{{transfer_id}}/reverse",
    perm="funds.treasury",
    response={201: TransferOut},
)
def transfer_reverse(request: HttpRequest, slug: str, transfer_id: int, payload: ReverseIn) -> Any:
    """Correct a transfer by its mirror image, with a reason (Idempotency-Key header: a
    retry answers with the same correction). Refused when it was already reversed (409)."""
    kelurahan = request_kelurahan(request)
    transfer = selectors.transfer_get(kelurahan=kelurahan, pk=transfer_id)
    mirror = services.transfer_reverse(
        actor=request.user, transfer=transfer, reason=payload.reason, idempotency_key=_key(request)
    )
    detail = selectors.transfer_detail(kelurahan=kelurahan, pk=mirror.pk)
    return Status(201, _transfer_out(detail.transfer, detail.postings, None))


@api_route(
    router.get,
    f"{PREFIX}/reports/{{year}}/{{month}}",
    perm="funds.view_public",
    response=MonthlyOut,
)
def monthly(request: HttpRequest, slug: str, year: int, month: int) -> Any:
    """The monthly public financial report, every account reconciled to zero."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise NotFound("No such month.")
    report = selectors.monthly_report(kelurahan=request_kelurahan(request), year=year, month=month)
    return {
        "year": year,
        "month": month,
        "transfers": report.transfers,
        "reconciled": report.reconciled,
        "lines": [line.__dict__ for line in report.lines],
    }


@api_route(router.get, f"{PREFIX}/reports/{{year}}/{{month}}.pdf", perm="funds.view_public")
def monthly_pdf(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    """The monthly report as PDF."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise NotFound("No such month.")
    report = selectors.monthly_report(kelurahan=request_kelurahan(request), year=year, month=month)
    response = HttpResponse(monthly_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="laporan-{year}-{month:02d}.pdf"'
    return response
