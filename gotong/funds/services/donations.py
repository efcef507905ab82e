"""Donations: created by a donor, recorded by the treasurer with a receipt, confirmed (then
matched) or cancelled.
"""

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gotong.core.money import rupiah_format
from gotong.funds import qris
from gotong.funds.codes import VOUCHER_CODE_ALPHABET
from gotong.funds.models import (
    Account,
    AccountKind,
    Campaign,
    Category,
    Channel,
    Donation,
    DonationKind,
    DonationStatus,
    DonationTarget,
    FundsProfile,
    GoodsItem,
    GoodsMovement,
    GoodsMovementKind,
    Match,
    MatchPledge,
    TransferKind,
)
from gotong.funds.selectors import donation_with_receipt
from gotong.registry.models import Organisation
from gotong.territory.models import Kelurahan

from ..transitions import (
    CAMPAIGN_TAKING_DONATIONS,
    DONATION_CONFIRMABLE,
    DONATION_RECORDABLE,
    DONATION_WITHDRAWABLE,
    step_check,
)
from ._common import _log, _receipt_from, _role, amount_clean
from .ledger import accounts_ensure, transfer_post, transfer_replayed

REFERENCE_ALPHABET = VOUCHER_CODE_ALPHABET
REFERENCE_RE = re.compile(r"GR-[2-9A-HJ-NP-Z]{6}", re.IGNORECASE)


def _upload_sha256(upload: Any) -> str:
    """SHA-256 (hex) of an upload's bytes: what its evidence keeps as the original's hash.
    Reads no more than an evidence photo may hold (a larger one is refused there)."""
    upload.seek(0)
    raw = upload.read(settings.GOTONG_EVIDENCE_MAX_BYTES + 1)
    upload.seek(0)
    return hashlib.sha256(raw).hexdigest()


def _receipt_reused(kelurahan: Kelurahan, digest: str) -> Conflict | None:
    """The refusal when a donation of this kelurahan that counts (not cancelled) already
    has a receipt photo with these bytes: a double tap, or one receipt for two gifts."""
    other = donation_with_receipt(kelurahan=kelurahan, receipt_sha256=digest)
    if other is None:
        return None
    return Conflict(
        _(
            "This receipt photo was already used for donation %(reference)s. Nothing was "
            "recorded; if it is another payment, take a photo of its own receipt."
        )
        % {"reference": other.payment_reference},
        {"field": "receipt", "reason": "receipt_used", "reference": other.payment_reference},
    )


def _matches_apply(donation: Donation, actor: Any) -> list[Match]:
    """Each active pledge of the campaign matches an eligible donation until its cap."""
    made: list[Match] = []
    if donation.campaign_id is None or donation.kind != DonationKind.MONEY:
        return made
    pledges = (
        MatchPledge.objects.select_for_update(of=("self",))
        .filter(campaign_id=donation.campaign_id, is_active=True)
        .select_related("account", "campaign__account")
        .order_by("pk")
    )
    for pledge in pledges:
        if pledge.max_donation is not None and donation.amount > pledge.max_donation:
            continue
        wanted = donation.amount * pledge.ratio_numerator // pledge.ratio_denominator
        pool = Account.objects.get(pk=pledge.account_id).balance
        amount = min(wanted, pledge.cap - pledge.matched_total, pool)
        if amount <= 0:
            continue
        # Conditional: two donations confirmed at once cannot both take the last rupiah.
        taken = MatchPledge.objects.filter(
            pk=pledge.pk, matched_total__lte=pledge.cap - amount
        ).update(matched_total=F("matched_total") + amount)
        if taken != 1:
            continue
        transfer = transfer_post(
            kelurahan=donation.kelurahan,
            kind=TransferKind.MATCH,
            postings=[(pledge.account, amount), (pledge.campaign.account, -amount)],
            actor=None,
            memo=f"Match {donation.payment_reference}",
            campaign=pledge.campaign,
            log_data={"pledge": pledge.pk, "donation": f"donation:{donation.pk}"},
        )
        made.append(
            Match.objects.create(pledge=pledge, donation=donation, amount=amount, transfer=transfer)
        )
    return made


def _reference_new() -> str:
    return "GR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _target_account(donation: Donation) -> Account:
    if donation.target == DonationTarget.CAMPAIGN and donation.campaign is not None:
        return donation.campaign.account
    if donation.target == DonationTarget.PLEDGE and donation.pledge is not None:
        return donation.pledge.account
    accounts = accounts_ensure(kelurahan=donation.kelurahan)
    if donation.target == DonationTarget.OPERATIONAL:
        return accounts[AccountKind.OPERATIONAL_FUND]
    return accounts[AccountKind.AID_FUND]


@transaction.atomic
def donation_create(
    *,
    kelurahan: Kelurahan,
    donor: Any,
    amount: Any,
    target: str = DonationTarget.CAMPAIGN,
    campaign: Campaign | None = None,
    pledge: MatchPledge | None = None,
    kind: str = DonationKind.MONEY,
    channel: str = Channel.QRIS,
    is_anonymous: bool = False,
    public_name: str = "",
    donor_organisation: Organisation | None = None,
    goods_name: str = "",
    goods_unit: str = "",
    goods_quantity: int | None = None,
    goods_category: str = "",
    goods_expires_on: dt.date | None = None,
    recorded_by: Any = None,
) -> Donation:
    """A pledge of money (with a payment reference for QRIS or a bank transfer) or goods.

    It counts only once the treasurer confirms it (``donation_confirm``).
    """
    value = amount_clean(amount)
    if target not in DonationTarget.values:
        raise ValidationFailed(_("Unknown donation target."), {"field": "target"})
    if target == DonationTarget.CAMPAIGN:
        if campaign is None or campaign.kelurahan_id != kelurahan.pk:
            raise NotFound(_("No such campaign in this kelurahan."))
        if campaign.status not in CAMPAIGN_TAKING_DONATIONS:
            raise ValidationFailed(_("This campaign no longer takes donations."))
    if target == DonationTarget.PLEDGE:
        if pledge is None or pledge.kelurahan_id != kelurahan.pk:
            raise NotFound(_("No such matching pledge in this kelurahan."))
        if kind != DonationKind.MONEY:
            raise ValidationFailed(_("A matching pledge is funded with money."))
    if kind not in DonationKind.values or channel not in Channel.values:
        raise ValidationFailed(_("Unknown kind of donation or payment channel."))
    if kind == DonationKind.IN_KIND:
        channel = Channel.GOODS
        goods_name = " ".join((goods_name or "").split())
        if not goods_name or not goods_unit or not goods_quantity or goods_quantity < 1:
            raise ValidationFailed(
                _("Goods need a name, a unit and a quantity."), {"field": "goods_name"}
            )
        if goods_category not in Category.values:
            raise ValidationFailed(_("Choose the category of the goods."))
        if goods_category == Category.SEMBAKO and goods_expires_on is None:
            raise ValidationFailed(
                _("Food needs its best-before date."), {"field": "goods_expires_on"}
            )
    elif channel == Channel.GOODS:
        raise ValidationFailed(_("Money is given by QRIS, bank transfer or cash."))
    if donor_organisation is not None and donor_organisation.kelurahan_id != kelurahan.pk:
        raise NotFound(_("No such organisation in this kelurahan."))
    public_name = " ".join((public_name or "").split())[:100]
    for _attempt in range(5):
        reference = _reference_new()
        if not Donation.objects.filter(payment_reference=reference).exists():
            break
    donation = Donation.objects.create(
        kelurahan=kelurahan,
        target=target,
        campaign=campaign if target == DonationTarget.CAMPAIGN else None,
        pledge=pledge if target == DonationTarget.PLEDGE else None,
        kind=kind,
        amount=value,
        donor_user=donor if getattr(donor, "is_authenticated", False) else None,
        donor_organisation=donor_organisation,
        public_name=public_name,
        is_anonymous=is_anonymous,
        goods_name=goods_name if kind == DonationKind.IN_KIND else "",
        goods_unit=(goods_unit or "")[:20] if kind == DonationKind.IN_KIND else "",
        goods_quantity=goods_quantity if kind == DonationKind.IN_KIND else None,
        goods_category=goods_category if kind == DonationKind.IN_KIND else "",
        goods_expires_on=goods_expires_on if kind == DonationKind.IN_KIND else None,
        channel=channel,
        payment_reference=reference,
    )
    _log(
        kelurahan,
        "funds.donation_pledged",
        recorded_by or donor,
        f"donation:{donation.pk}",
        {
            "reference": reference,
            "amount": value,
            "kind": kind,
            "channel": channel,
            "target": target,
            "campaign": donation.campaign_id,
            "csr": bool(donor_organisation),
            "anonymous": is_anonymous,
        },
    )
    return donation


def donation_qris_payload(*, donation: Donation) -> str | None:
    """The dynamic QRIS payload to pay this donation, or None when no QRIS is configured."""
    profile = FundsProfile.objects.filter(kelurahan=donation.kelurahan).first()
    if profile is None or not profile.qris_static_payload or donation.kind != DonationKind.MONEY:
        return None
    return qris.qris_dynamic(
        profile.qris_static_payload, amount=donation.amount, reference=donation.payment_reference
    )


@transaction.atomic
def donation_record(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    receipt: Any,
    donation: Donation | None = None,
    channel: str = Channel.CASH,
    amount: Any = None,
    target: str = DonationTarget.AID_FUND,
    campaign: Campaign | None = None,
    public_name: str = "",
    is_anonymous: bool = False,
    donor_organisation: Organisation | None = None,
    **goods: Any,
) -> Donation:
    """The treasurer records money received by bank transfer or in cash (or goods handed
    in) with a photo of the receipt; a pending donation or a new one. Not yet counted.

    A receipt photo whose bytes (SHA-256) are those of another donation's receipt in this
    kelurahan is refused with Conflict naming that donation, nothing saved: a double tap
    cannot record one payment twice (a unique constraint backs it under concurrency). A
    cancelled (reversed) donation's receipt may be used again for its correction."""
    permission_require(actor, "funds.treasury", kelurahan)
    digest = _upload_sha256(receipt) if receipt is not None else ""
    if digest and (refused := _receipt_reused(kelurahan, digest)) is not None:
        raise refused
    if donation is None:
        donation = donation_create(
            kelurahan=kelurahan,
            donor=None,
            amount=amount,
            target=target,
            campaign=campaign,
            kind=goods.pop("kind", DonationKind.MONEY),
            channel=channel,
            public_name=public_name,
            is_anonymous=is_anonymous,
            donor_organisation=donor_organisation,
            recorded_by=actor,
            **goods,
        )
    elif donation.kelurahan_id != kelurahan.pk:
        raise NotFound(_("No such donation in this kelurahan."))
    donation = Donation.objects.select_for_update(of=("self",)).get(pk=donation.pk)
    if donation.status not in DONATION_RECORDABLE:
        raise Conflict(_("This donation was already recorded."), {"status": donation.status})
    step_check(
        "donation",
        current=donation.status,
        target=DonationStatus.RECORDED,
        refused=_("This donation was already recorded."),
    )
    if amount is not None and amount_clean(amount) != donation.amount:
        raise ValidationFailed(
            _("The amount received differs from the donation (%(amount)s).")
            % {"amount": rupiah_format(donation.amount)},
            {"field": "amount"},
        )
    code = _receipt_from(
        receipt,
        kelurahan=kelurahan,
        actor=actor,
        subject=f"donation:{donation.pk}",
        note=f"Bukti {donation.payment_reference}",
    )
    if donation.kind == DonationKind.MONEY and channel in (Channel.CASH, Channel.BANK_TRANSFER):
        donation.channel = channel
    donation.status = DonationStatus.RECORDED
    donation.recorded_by = actor
    donation.recorded_at = timezone.now()
    donation.receipt_code = code
    donation.receipt_sha256 = digest
    try:
        with transaction.atomic():
            donation.save(
                update_fields=[
                    "channel",
                    "status",
                    "recorded_by",
                    "recorded_at",
                    "receipt_code",
                    "receipt_sha256",
                    "updated_at",
                ]
            )
    except IntegrityError as exc:  # the same receipt recorded concurrently
        raise _receipt_reused(kelurahan, digest) or Conflict(
            _("This receipt photo was already used for another donation.")
        ) from exc
    _log(
        kelurahan,
        "funds.donation_recorded",
        actor,
        f"donation:{donation.pk}",
        {"reference": donation.payment_reference, "channel": donation.channel, "receipt": code},
        role=_role(actor, "funds.treasury", kelurahan),
    )
    return donation


@transaction.atomic
def donation_confirm(
    *, actor: Any, donation: Donation, idempotency_key: str | None = None, at: Any = None
) -> Donation:
    """The treasurer confirms money (or goods) received: it is posted and matched.

    Cash recorded by hand must be confirmed by another officer than the one who recorded it.
    """
    kelurahan = donation.kelurahan
    permission_require(actor, "funds.treasury", kelurahan)
    request = {"confirm": donation.pk}
    replay = transfer_replayed(kelurahan=kelurahan, key=idempotency_key, request=request)
    if replay is not None:
        return Donation.objects.get(transfer=replay)
    donation = (
        Donation.objects.select_for_update(of=("self",))
        .select_related("campaign__account", "pledge__account", "kelurahan")
        .get(pk=donation.pk)
    )
    if donation.status == DonationStatus.CONFIRMED:
        raise Conflict(_("This donation was already confirmed."))
    if donation.status not in DONATION_CONFIRMABLE:
        raise ValidationFailed(
            _("Record the payment (receipt or bank statement) before confirming it."),
            {"status": donation.status},
        )
    frm = donation.status
    step_check(
        "donation",
        current=frm,
        target=DonationStatus.CONFIRMED,
        refused=_("This donation was already confirmed."),
    )
    if donation.statement_line_id is None and donation.recorded_by_id == actor.pk:
        raise PermissionDenied(
            _("Another officer must confirm what you recorded yourself."),
            {"reason": "separation_of_duties"},
        )
    accounts = accounts_ensure(kelurahan=kelurahan)
    if donation.kind == DonationKind.IN_KIND:
        asset = accounts[AccountKind.IN_KIND]
        kind = TransferKind.GOODS_IN
    else:
        asset = accounts[AccountKind.CASH if donation.channel == Channel.CASH else AccountKind.BANK]
        kind = TransferKind.DONATION
    fund = _target_account(donation)
    transfer = transfer_post(
        kelurahan=kelurahan,
        kind=kind,
        postings=[(asset, donation.amount), (fund, -donation.amount)],
        actor=actor,
        memo=donation.payment_reference,
        idempotency_key=idempotency_key,
        request=request,
        campaign=donation.campaign,
        receipt_code=donation.receipt_code,
        log_data={
            "donation": f"donation:{donation.pk}",
            "csr": bool(donation.donor_organisation_id),
        },
        at=at,
    )
    donation.status = DonationStatus.CONFIRMED
    donation.confirmed_by = actor
    donation.confirmed_at = at or timezone.now()
    donation.transfer = transfer
    donation.updated_at = timezone.now()
    if not Donation.objects.filter(pk=donation.pk, status=frm).update(
        status=donation.status,
        confirmed_by=actor,
        confirmed_at=donation.confirmed_at,
        transfer=transfer,
        updated_at=donation.updated_at,
    ):
        raise Conflict(_("This donation was already confirmed."), {"field": "status"})
    if donation.kind == DonationKind.IN_KIND:
        item = GoodsItem.objects.create(
            kelurahan=kelurahan,
            name=donation.goods_name,
            unit=donation.goods_unit,
            category=donation.goods_category,
            quantity=donation.goods_quantity or 0,
            unit_value=donation.amount // max(1, donation.goods_quantity or 1),
            expires_on=donation.goods_expires_on,
            fund_account=fund,
            donation=donation,
        )
        GoodsMovement.objects.create(
            item=item,
            kind=GoodsMovementKind.IN,
            quantity=item.quantity,
            transfer=transfer,
            actor=actor,
            receipt_code=donation.receipt_code,
            created_at=donation.confirmed_at,
        )
    else:
        _matches_apply(donation, actor)
    return donation


@transaction.atomic
def donation_cancel(*, actor: Any, donation: Donation) -> Donation:
    """The donor (or the treasurer) withdraws a donation that was never paid."""
    is_donor = donation.donor_user_id is not None and donation.donor_user_id == actor.pk
    if not is_donor:
        permission_require(actor, "funds.treasury", donation.kelurahan)
    refused = _("Only a donation still waiting for payment can be cancelled.")
    # From the stored status, not the caller's copy: a withdrawal races the payment.
    updated = Donation.objects.filter(pk=donation.pk, status__in=DONATION_WITHDRAWABLE).update(
        status=DonationStatus.CANCELLED
    )
    if not updated:
        raise Conflict(refused)
    donation.refresh_from_db()
    _log(donation.kelurahan, "funds.donation_cancelled", actor, f"donation:{donation.pk}", {})
    return donation
