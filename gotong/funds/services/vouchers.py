"""Vouchers: merchant enrolment, issue, redemption at a UMKM and payment of a market order
(one ``_voucher_take``), refund and expiry.
"""

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.models import Role
from gotong.accounts.permissions import permission_gate, permission_require
from gotong.accounts.selectors import membership_list_for_rt
from gotong.channels.services import notification_send
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from gotong.core.money import rupiah_format
from gotong.funds.codes import (
    VOUCHER_CODE_ALPHABET,
    VOUCHER_CODE_LENGTH,
    VOUCHER_SIGNING_SALT,
    voucher_code_hash,
)
from gotong.funds.models import (
    AID_SOURCES,
    Account,
    AccountKind,
    Campaign,
    Category,
    Redemption,
    Transfer,
    TransferKind,
    Voucher,
    VoucherMerchant,
    VoucherStatus,
)
from gotong.registry.models import (
    ConsentPurpose,
    Household,
    Organisation,
    OrganisationKind,
    Person,
    PersonStatus,
)
from gotong.registry.services import person_consents, person_notify
from gotong.territory.models import RT, Kelurahan

from ..transitions import (
    VOUCHER_EXPIRABLE,
    VOUCHER_REFILLABLE,
    VOUCHER_SPENDABLE,
    step_check,
)
from ._common import _account_new, _log, amount_clean
from .campaigns import earmark_check
from .ledger import accounts_ensure, market_accounts, transfer_post, transfer_replayed
from .voucher_codes import (
    voucher_code_is_wrong,
    voucher_wrong_code_record,
    voucher_wrong_codes_check,
)


def voucher_code_new() -> str:
    """An unguessable voucher code (60 random bits) in three dash-separated groups of four."""
    raw = "".join(secrets.choice(VOUCHER_CODE_ALPHABET) for _ in range(VOUCHER_CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def voucher_qr_payload(code: str) -> str:
    """What the voucher's QR holds: the code signed with the server's key."""
    return signing.Signer(salt=VOUCHER_SIGNING_SALT).sign(code)


def _voucher_code_from(scanned: str) -> str:
    """A typed code, or a scanned signed payload whose signature must verify."""
    text = (scanned or "").strip()
    if ":" in text:
        try:
            return signing.Signer(salt=VOUCHER_SIGNING_SALT).unsign(text)
        except signing.BadSignature as exc:
            raise ValidationFailed(
                _("This QR code is not a voucher of this platform."), {"reason": "signature"}
            ) from exc
    return text


def _umkm_payable_new(organisation: Organisation) -> Account:
    """The account of what vouchers and market sales owe a UMKM."""
    return _account_new(
        organisation.kelurahan,
        AccountKind.UMKM_PAYABLE,
        f"umkm:{organisation.pk}",
        f"Owed to {organisation.name}",
        organisation=organisation,
    )


@transaction.atomic
def merchant_enrol(
    *, actor: Any, organisation: Organisation, categories: Sequence[str]
) -> VoucherMerchant:
    """Enrol an approved UMKM to accept vouchers of some categories (or change them)."""
    kelurahan = organisation.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    if organisation.kind != OrganisationKind.UMKM or organisation.status != "approved":
        raise ValidationFailed(_("Only an approved UMKM can accept vouchers."))
    chosen = sorted(set(categories))
    if not chosen or any(c not in Category.values for c in chosen):
        raise ValidationFailed(_("Choose the voucher categories it accepts."))
    merchant = VoucherMerchant.objects.filter(organisation=organisation).first()
    if merchant is None:
        merchant = VoucherMerchant.objects.create(
            kelurahan=kelurahan,
            organisation=organisation,
            categories=chosen,
            account=_umkm_payable_new(organisation),
            enrolled_by=actor,
        )
    else:
        merchant.categories = chosen
        merchant.save(update_fields=["categories", "updated_at"])
    _log(
        kelurahan,
        "funds.merchant_enrolled",
        actor,
        f"organisation:{organisation.pk}",
        {"categories": chosen},
    )
    return merchant


@transaction.atomic
def voucher_issue(
    *,
    actor: Any,
    source: Account,
    category: str,
    value: Any,
    count: int,
    rt: RT,
    household: Household | None = None,
    allow_partial: bool = False,
    valid_days: int = 30,
    idempotency_key: str | None = None,
    codes: Sequence[str] | None = None,
    at: dt.datetime | None = None,
    link_base: str = "",
) -> list[tuple[Voucher, str]]:
    """Issue ``count`` vouchers paid from an aid fund or campaign, for a household or
    anonymously through the RT. Returns each voucher with its code (shown only now).

    A household's vouchers are sent by message (code and a link to its QR card, made
    absolute with ``link_base``) to the head, else an adult member, with a phone number
    and consent to notifications; a household nobody there can receive them is refused.
    For anonymous vouchers the RT's head is told how many to expect; the codes reach
    them on the sheet printed once at issue.
    """
    kelurahan = source.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    each = amount_clean(value, field="value")
    if category not in Category.values:
        raise ValidationFailed(_("Choose the voucher category."), {"field": "category"})
    if not 1 <= count <= 500:
        raise ValidationFailed(_("Issue between 1 and 500 vouchers at a time."))
    if not 1 <= valid_days <= 366:
        raise ValidationFailed(_("A voucher is valid for 1 to 366 days."))
    if source.kind not in AID_SOURCES or rt.kelurahan_id != kelurahan.pk:
        raise ValidationFailed(_("Vouchers are paid from the aid fund or a campaign."))
    if household is not None and household.kelurahan_id != kelurahan.pk:
        raise NotFound(_("No such household in this kelurahan."))
    if household is not None and household.rt_id != rt.pk:
        raise ValidationFailed(_("This household lives in another RT."), {"field": "rt"})
    contact = _household_contact(household) if household is not None else None
    if household is not None and contact is None:
        raise ValidationFailed(
            _(
                "Nobody in this household has a phone number and agreed to messages, so the "
                "voucher cannot be sent. Issue it anonymously through the RT instead."
            ),
            {"field": "household", "reason": "unreachable"},
        )
    earmark_check(account=source, category=category, rt=rt)
    request = {
        "source": source.pk,
        "category": category,
        "value": each,
        "count": count,
        "rt": rt.pk,
        "household": household.pk if household else None,
    }
    replay = transfer_replayed(kelurahan=kelurahan, key=idempotency_key, request=request)
    if replay is not None:
        raise Conflict(
            _("These vouchers were already issued; their codes were shown then."),
            {"transfer": replay.pk},
        )
    liability = accounts_ensure(kelurahan=kelurahan)[AccountKind.VOUCHER_LIABILITY]
    campaign = Campaign.objects.filter(account=source).first()
    transfer = transfer_post(
        kelurahan=kelurahan,
        kind=TransferKind.VOUCHER_ISSUE,
        postings=[(source, each * count), (liability, -each * count)],
        actor=actor,
        memo=f"{count} voucher {category}",
        idempotency_key=idempotency_key,
        request=request,
        campaign=campaign,
        log_data={
            "vouchers": count,
            "value": each,
            "category": category,
            "rt": rt.number,
            "rw": rt.rw.number,
        },
        at=at,
    )
    issued_at = at or timezone.now()
    plain = list(codes) if codes else [voucher_code_new() for _ in range(count)]
    if len(plain) != count:
        raise ValidationFailed(_("One code per voucher is needed."))
    vouchers = Voucher.objects.bulk_create(
        [
            Voucher(
                kelurahan=kelurahan,
                code_hash=voucher_code_hash(code),
                code_hint=code[-4:],
                category=category,
                value=each,
                remaining=each,
                allow_partial=allow_partial,
                source_account=source,
                campaign=campaign,
                household=household,
                rt=rt,
                expires_at=issued_at + dt.timedelta(days=valid_days),
                issued_by=actor,
                issue_transfer=transfer,
            )
            for code in plain
        ]
    )
    issued = list(zip(vouchers, plain, strict=True))
    if contact is not None:
        _voucher_codes_send(kelurahan, contact, issued, link_base)
    else:
        _voucher_sheet_announce(kelurahan, rt, issued)
    return issued


def _household_contact(household: Household) -> Person | None:
    """Who receives a household's voucher codes: the head, else the first adult member,
    active, with a phone number and consent to notifications."""
    today = timezone.localdate()
    members = sorted(
        household.members.filter(status=PersonStatus.ACTIVE).exclude(phone=""),
        key=lambda p: (p.pk != household.head_id, p.pk),
    )
    for person in members:
        if person.birth_date is not None and (today - person.birth_date).days < 18 * 365:
            continue
        if ConsentPurpose.NOTIFICATIONS in person_consents(person=person):
            return person
    return None


def voucher_card_url(*, kelurahan: Kelurahan, code: str, link_base: str = "") -> str:
    """The voucher's card page (its QR to show at a UMKM) for a code; absolute when
    ``link_base`` (e.g. ``https://host/``) is given."""
    path = reverse("funds:voucher_card", kwargs={"slug": kelurahan.slug})
    query = quote(voucher_qr_payload(code), safe="")
    return f"{link_base.rstrip('/')}{path}?kode={query}"


def _voucher_codes_send(
    kelurahan: Kelurahan, contact: Person, issued: list[tuple[Voucher, str]], link_base: str
) -> None:
    for voucher, code in issued:
        person_notify(
            person=contact,
            template="voucher_issued",
            context={
                "code": code,
                "value": rupiah_format(voucher.value),
                "category": Category(voucher.category).label,
                "expires_on": timezone.localtime(voucher.expires_at).date(),
                "link": voucher_card_url(kelurahan=kelurahan, code=code, link_base=link_base),
                "kelurahan": kelurahan.name,
            },
        )


def _voucher_sheet_announce(
    kelurahan: Kelurahan, rt: RT, issued: list[tuple[Voucher, str]]
) -> None:
    """Tell the RT's head how many anonymous vouchers to expect on the printed sheet."""
    first = issued[0][0]
    heads = membership_list_for_rt(kelurahan=kelurahan, rt=rt).filter(role=Role.KETUA_RT)
    for membership in heads:
        notification_send(
            recipient=membership.user.phone,
            template="voucher_rt_sheet",
            kelurahan=kelurahan,
            context={
                "count": len(issued),
                "value": rupiah_format(first.value),
                "category": Category(first.category).label,
                "rt": str(rt),
                "expires_on": timezone.localtime(first.expires_at).date(),
            },
        )


def merchant_for_user(*, kelurahan: Kelurahan, user: Any) -> VoucherMerchant | None:
    """The enrolled UMKM this user runs (registered it, or is its contact number)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        VoucherMerchant.objects.filter(kelurahan=kelurahan)
        .filter(Q(organisation__registered_by=user) | Q(organisation__contact_phone=user.phone))
        .select_related("organisation", "account")
        .order_by("pk")
        .first()
    )


def _voucher_take(
    *,
    kelurahan: Kelurahan,
    plain: str,
    amount_taken: Callable[[Voucher], int],
    unknown_extra: dict[str, Any] | None = None,
) -> tuple[Voucher, int]:
    """Spend part or all of a voucher, once: lock it, refuse an unknown, used or expired
    code, let the caller check it and say how much it takes, then take that much with a
    conditional update (without the row lock, on SQLite, two spends cannot both succeed).
    Used by UMKM redemption and market payment; the caller posts the transfer."""
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .filter(kelurahan=kelurahan, code_hash=voucher_code_hash(plain))
        .first()
    )
    if voucher is None:
        raise NotFound(_("Unknown voucher code."), {**(unknown_extra or {}), "reason": "unknown"})
    if voucher.status == VoucherStatus.REDEEMED:
        raise Conflict(_("This voucher was already used."), {"reason": "used"})
    if voucher.status == VoucherStatus.EXPIRED or voucher.expires_at <= timezone.now():
        raise Conflict(_("This voucher has expired."), {"reason": "expired"})
    take = amount_taken(voucher)
    left = voucher.remaining - take
    if left == 0:
        step_check(
            "voucher",
            current=voucher.status,
            target=VoucherStatus.REDEEMED,
            refused=_("This voucher was already used."),
        )
    updated = Voucher.objects.filter(
        pk=voucher.pk, status__in=VOUCHER_SPENDABLE, remaining=voucher.remaining
    ).update(
        remaining=left,
        status=VoucherStatus.REDEEMED if left == 0 else voucher.status,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise Conflict(_("This voucher was already used."), {"reason": "used"})
    return voucher, take


def voucher_redeem(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    code: str,
    amount: Any = None,
    idempotency_key: str | None = None,
    merchant: VoucherMerchant | None = None,
    ip: str | None = None,
) -> Redemption:
    """A UMKM redeems a voucher (scanned or typed), once, in full or in part as allowed;
    the UMKM's payable grows. The recipient is never named.

    A code that matches no voucher (or a QR whose signature fails) is counted against the
    UMKM and the caller's IP address; over the hourly limits every attempt is refused with
    RateLimited (429), so codes cannot be guessed. The count is committed even though the
    redemption is refused.
    """
    # The seller's role is held in their RT; the voucher may come from any RT.
    permission_gate(actor, "funds.redeem", kelurahan)
    merchant = merchant or merchant_for_user(kelurahan=kelurahan, user=actor)
    if merchant is None or merchant.kelurahan_id != kelurahan.pk:
        raise PermissionDenied(_("Your UMKM is not enrolled to accept vouchers."))
    voucher_wrong_codes_check(merchant=merchant, ip=ip)
    try:
        return _voucher_redeem(
            actor=actor,
            kelurahan=kelurahan,
            code=code,
            amount=amount,
            idempotency_key=idempotency_key,
            merchant=merchant,
        )
    except (NotFound, ValidationFailed) as exc:
        if voucher_code_is_wrong(exc):
            voucher_wrong_code_record(kelurahan=kelurahan, merchant=merchant, ip=ip)
        raise


@transaction.atomic
def _voucher_redeem(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    code: str,
    amount: Any,
    idempotency_key: str | None,
    merchant: VoucherMerchant,
) -> Redemption:
    plain = _voucher_code_from(code)
    request = {"redeem": voucher_code_hash(plain), "merchant": merchant.pk, "amount": amount}
    replay = transfer_replayed(kelurahan=kelurahan, key=idempotency_key, request=request)
    if replay is not None:
        return Redemption.objects.get(transfer=replay)

    def amount_taken(voucher: Voucher) -> int:
        if voucher.category not in merchant.categories:
            raise ValidationFailed(
                _("This UMKM does not accept %(category)s vouchers.")
                % {"category": voucher.get_category_display()},
                {"reason": "category"},
            )
        take = voucher.remaining if amount in (None, "") else amount_clean(amount)
        if take > voucher.remaining:
            raise ValidationFailed(
                _("The voucher has only %(left)s left.")
                % {"left": rupiah_format(voucher.remaining)},
                {"reason": "too_much"},
            )
        if not voucher.allow_partial and take != voucher.remaining:
            raise ValidationFailed(
                _("This voucher must be used in full (%(value)s).")
                % {"value": rupiah_format(voucher.remaining)},
                {"reason": "partial"},
            )
        return take

    voucher, take = _voucher_take(kelurahan=kelurahan, plain=plain, amount_taken=amount_taken)
    return _voucher_spend(
        kelurahan=kelurahan,
        voucher=voucher,
        take=take,
        liability=accounts_ensure(kelurahan=kelurahan)[AccountKind.VOUCHER_LIABILITY],
        to=merchant.account,
        actor=actor,
        paid={"umkm": f"organisation:{merchant.organisation_id}"},
        idempotency_key=idempotency_key,
        request=request,
        merchant=merchant,
        redeemed_by=actor,
    )


def _voucher_spend(
    *,
    kelurahan: Kelurahan,
    voucher: Voucher,
    take: int,
    liability: Account,
    to: Account,
    actor: Any,
    paid: dict[str, str],
    idempotency_key: str | None = None,
    request: Any = None,
    **redemption: Any,
) -> Redemption:
    """Book ``take`` of a taken voucher from vouchers outstanding to the account ``to``
    (``paid`` names whom in the log entry) and record the redemption."""
    transfer = transfer_post(
        kelurahan=kelurahan,
        kind=TransferKind.VOUCHER_REDEEM,
        postings=[(liability, take), (to, -take)],
        actor=actor,
        memo=f"Voucher …{voucher.code_hint}",
        idempotency_key=idempotency_key,
        request=request,
        campaign=voucher.campaign,
        log_data={"voucher": f"voucher:{voucher.pk}", **paid, "category": voucher.category},
    )
    return Redemption.objects.create(
        voucher=voucher,
        amount=take,
        transfer=transfer,
        created_at=transfer.created_at,
        **redemption,
    )


@transaction.atomic
def voucher_expire(*, voucher: Voucher, now: dt.datetime | None = None) -> Voucher | None:
    """Expire one voucher past its date and return what is left to its source."""
    now = now or timezone.now()
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("source_account")
        .get(pk=voucher.pk)
    )
    if voucher.status not in VOUCHER_EXPIRABLE or voucher.expires_at > now:
        return None
    step_check(
        "voucher",
        current=voucher.status,
        target=VoucherStatus.EXPIRED,
        refused=_("This voucher has expired."),
    )
    left = voucher.remaining
    updated = Voucher.objects.filter(
        pk=voucher.pk, status__in=VOUCHER_EXPIRABLE, remaining=left
    ).update(status=VoucherStatus.EXPIRED, updated_at=now)
    if updated != 1:
        return None
    voucher.status = VoucherStatus.EXPIRED
    if left > 0:
        liability = accounts_ensure(kelurahan=voucher.kelurahan)[AccountKind.VOUCHER_LIABILITY]
        transfer = transfer_post(
            kelurahan=voucher.kelurahan,
            kind=TransferKind.VOUCHER_EXPIRE,
            postings=[(liability, left), (voucher.source_account, -left)],
            actor=None,
            memo=f"Voucher …{voucher.code_hint}",
            campaign=voucher.campaign,
            log_data={"voucher": f"voucher:{voucher.pk}"},
            at=now,
        )
        Voucher.objects.filter(pk=voucher.pk).update(expire_transfer=transfer)
    return voucher


def vouchers_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire every voucher past its date (all kelurahan); returns how many."""
    now = now or timezone.now()
    due = Voucher.objects.filter(status__in=VOUCHER_EXPIRABLE, expires_at__lte=now).order_by("pk")
    return sum(1 for v in due.iterator() if voucher_expire(voucher=v, now=now) is not None)


@transaction.atomic
def umkm_payable_ensure(*, organisation: Organisation) -> VoucherMerchant:
    """A market seller's payable account: its ``VoucherMerchant`` record, enrolled
    automatically without voucher categories (an operator may add some later)."""
    merchant = (
        VoucherMerchant.objects.filter(organisation=organisation).select_related("account").first()
    )
    if merchant is not None:
        return merchant
    kelurahan = organisation.kelurahan
    if organisation.kind != OrganisationKind.UMKM:
        raise ValidationFailed(_("Only a UMKM can be owed for market sales."))
    account = Account.objects.filter(
        kelurahan=kelurahan, code=f"umkm:{organisation.pk}"
    ).first() or _umkm_payable_new(organisation)
    merchant = VoucherMerchant.objects.create(
        kelurahan=kelurahan, organisation=organisation, categories=[], account=account
    )
    _log(
        kelurahan,
        "funds.merchant_enrolled",
        None,
        f"organisation:{organisation.pk}",
        {"categories": [], "market": True},
    )
    return merchant


@transaction.atomic
def voucher_market_pay(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    code: str,
    items: Sequence[tuple[str, str]],
    amount_max: int,
    market_order_id: int,
) -> Redemption:
    """A buyer pays a market order with an aid voucher (typed or scanned code).

    ``items`` are the order's lines as (name, voucher category the item belongs to, or
    "" when no voucher may pay for it): the voucher's category must be that of every
    line. The voucher pays up to ``amount_max`` (the order total), once (conditional
    update), in full unless it may be used in parts; its value goes from vouchers
    outstanding to the market clearing account until the cycle is settled."""
    plain = _voucher_code_from(code)
    if not plain.strip():
        raise ValidationFailed(_("Type the voucher code."), {"field": "voucher_code"})

    def amount_taken(voucher: Voucher) -> int:
        wrong = [name for name, category in items if category != voucher.category]
        if wrong:
            raise ValidationFailed(
                _("A %(category)s voucher cannot pay for: %(items)s.")
                % {"category": voucher.get_category_display(), "items": ", ".join(wrong)},
                {"field": "voucher_code", "reason": "category", "category": voucher.category},
            )
        if voucher.remaining > amount_max and not voucher.allow_partial:
            raise ValidationFailed(
                _("This voucher must be used in full (%(value)s) but the order comes to %(total)s.")
                % {
                    "value": rupiah_format(voucher.remaining),
                    "total": rupiah_format(amount_max),
                },
                {"field": "voucher_code", "reason": "partial"},
            )
        take = min(voucher.remaining, amount_max)
        if take <= 0:
            raise ValidationFailed(_("There is nothing to pay."), {"field": "voucher_code"})
        return take

    voucher, take = _voucher_take(
        kelurahan=kelurahan,
        plain=plain,
        amount_taken=amount_taken,
        unknown_extra={"field": "voucher_code"},
    )
    accounts = market_accounts(kelurahan=kelurahan)
    return _voucher_spend(
        kelurahan=kelurahan,
        voucher=voucher,
        take=take,
        liability=accounts[AccountKind.VOUCHER_LIABILITY],
        to=accounts[AccountKind.MARKET_CLEARING],
        actor=actor,
        paid={"market_order": f"order:{market_order_id}"},
        market_order_id=market_order_id,
        redeemed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def voucher_market_refund(
    *, actor: Any, kelurahan: Kelurahan, voucher_id: int, amount: int, market_order_id: int
) -> Transfer:
    """Give back to a voucher what a market order no longer costs (a line cancelled at
    closing, the order cancelled): the voucher can be used again, or, once expired, the
    value returns to the voucher's source."""
    voucher = Voucher.objects.select_for_update(of=("self",)).get(
        pk=voucher_id, kelurahan=kelurahan
    )
    value = amount_clean(amount)
    accounts = market_accounts(kelurahan=kelurahan)
    now = timezone.now()
    if voucher.status in VOUCHER_REFILLABLE and voucher.expires_at > now:
        if voucher.status != VoucherStatus.ACTIVE:
            step_check(
                "voucher",
                current=voucher.status,
                target=VoucherStatus.ACTIVE,
                refused=_("More than the voucher's value cannot be given back."),
            )
        if voucher.remaining + value > voucher.value:
            raise ValidationFailed(_("More than the voucher's value cannot be given back."))
        Voucher.objects.filter(pk=voucher.pk).update(
            remaining=F("remaining") + value, status=VoucherStatus.ACTIVE, updated_at=now
        )
        target = accounts[AccountKind.VOUCHER_LIABILITY]
        returned_to = "voucher"
    else:
        target = voucher.source_account
        returned_to = "source"
    return transfer_post(
        kelurahan=kelurahan,
        kind=TransferKind.MARKET_REFUND,
        postings=[(accounts[AccountKind.MARKET_CLEARING], value), (target, -value)],
        actor=actor,
        memo=f"Voucher …{voucher.code_hint}",
        campaign=voucher.campaign,
        log_data={
            "voucher": f"voucher:{voucher.pk}",
            "market_order": f"order:{market_order_id}",
            "returned_to": returned_to,
        },
    )
