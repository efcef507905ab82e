"""Campaigns (appeals with an optional earmark), the earmark check on spending, and
matching pledges.
"""

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gotong.accounts.permissions import permission_require
from gotong.activities import selectors as activity_selectors
from gotong.core.exceptions import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from gotong.funds.models import (
    Account,
    AccountKind,
    Campaign,
    CampaignStatus,
    Category,
    EarmarkKind,
    MatchPledge,
    OwnerKind,
)
from gotong.registry.models import Organisation
from gotong.territory.models import RT, RW, Kelurahan

from ..transitions import step_check
from ._common import _account_new, _log, _role, amount_clean


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    kelurahan: Kelurahan,
    title: str,
    purpose: str,
    target_amount: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    owner_kind: str = OwnerKind.KELURAHAN,
    owner_rw: RW | None = None,
    owner_organisation: Organisation | None = None,
    earmark_kind: str = EarmarkKind.NONE,
    earmark_rw: RW | None = None,
    earmark_category: str = "",
    earmark_activity_id: int | None = None,
) -> Campaign:
    """Open a campaign with its own ledger account (an earmark account when scoped)."""
    unit: Any = owner_rw if owner_kind == OwnerKind.RW and owner_rw else kelurahan
    permission_require(actor, "funds.manage_campaigns", unit)
    title, purpose = " ".join((title or "").split()), (purpose or "").strip()
    if not title or not purpose:
        raise ValidationFailed(_("A campaign needs a title and a purpose."), {"field": "title"})
    target = amount_clean(target_amount, field="target_amount")
    if ends_on < starts_on:
        raise ValidationFailed(_("The campaign ends before it starts."), {"field": "ends_on"})
    if owner_kind not in OwnerKind.values:
        raise ValidationFailed(_("Unknown owner."), {"field": "owner_kind"})
    if owner_kind == OwnerKind.RW and (owner_rw is None or owner_rw.kelurahan_id != kelurahan.pk):
        raise ValidationFailed(_("Choose the RW that owns the campaign."), {"field": "owner_rw"})
    if owner_kind == OwnerKind.COMMUNITY and (
        owner_organisation is None or owner_organisation.kelurahan_id != kelurahan.pk
    ):
        raise ValidationFailed(
            _("Choose the community group that owns the campaign."),
            {"field": "owner_organisation"},
        )
    if earmark_kind not in EarmarkKind.values:
        raise ValidationFailed(_("Unknown earmark."), {"field": "earmark_kind"})
    if earmark_kind == EarmarkKind.RW and (
        earmark_rw is None or earmark_rw.kelurahan_id != kelurahan.pk
    ):
        raise ValidationFailed(_("Choose the RW of the earmark."), {"field": "earmark_rw"})
    if earmark_kind == EarmarkKind.CATEGORY and earmark_category not in Category.values:
        raise ValidationFailed(
            _("Choose the category of the earmark."), {"field": "earmark_category"}
        )
    if earmark_kind == EarmarkKind.ACTIVITY:
        if earmark_activity_id is None:
            raise ValidationFailed(
                _("Choose the activity of the earmark."), {"field": "earmark_activity_id"}
            )
        activity_selectors.activity_get(kelurahan=kelurahan, pk=earmark_activity_id)
    kind = AccountKind.EARMARK if earmark_kind else AccountKind.CAMPAIGN
    count = Campaign.objects.filter(kelurahan=kelurahan).count()
    account = _account_new(
        kelurahan, kind, f"campaign:{kelurahan.pk}-{count + 1}-{secrets.token_hex(2)}", title
    )
    campaign = Campaign.objects.create(
        kelurahan=kelurahan,
        title=title[:120],
        purpose=purpose[:1000],
        target_amount=target,
        starts_on=starts_on,
        ends_on=ends_on,
        owner_kind=owner_kind,
        owner_rw=owner_rw if owner_kind == OwnerKind.RW else None,
        owner_organisation=owner_organisation if owner_kind == OwnerKind.COMMUNITY else None,
        earmark_kind=earmark_kind,
        earmark_rw=earmark_rw if earmark_kind == EarmarkKind.RW else None,
        earmark_category=earmark_category if earmark_kind == EarmarkKind.CATEGORY else "",
        earmark_activity_id=earmark_activity_id if earmark_kind == EarmarkKind.ACTIVITY else None,
        account=account,
        created_by=actor,
    )
    Account.objects.filter(pk=account.pk).update(code=f"campaign:{campaign.pk}")
    account.code = f"campaign:{campaign.pk}"
    _log(
        kelurahan,
        "funds.campaign_created",
        actor,
        f"campaign:{campaign.pk}",
        {
            "target": target,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "owner": owner_kind,
            "owner_rw": owner_rw.number if owner_rw and owner_kind == OwnerKind.RW else None,
            "earmark": earmark_kind or None,
            "earmark_rw": campaign.earmark_rw.number if campaign.earmark_rw else None,
            "earmark_category": campaign.earmark_category or None,
            "earmark_activity": (
                f"activity:{earmark_activity_id}" if campaign.earmark_activity_id else None
            ),
        },
        role=_role(actor, "funds.manage_campaigns", unit),
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    """Stop taking donations (money already given stays earmarked to the campaign)."""
    unit = campaign.owner_rw or campaign.kelurahan
    permission_require(actor, "funds.manage_campaigns", unit)
    already = _("The campaign is already closed.")
    frm = campaign.status
    step_check("campaign", current=frm, target=CampaignStatus.CLOSED, refused=already)
    now = timezone.now()
    if not Campaign.objects.filter(pk=campaign.pk, status=frm).update(
        status=CampaignStatus.CLOSED, updated_at=now
    ):
        raise Conflict(already, {"field": "status"})
    campaign.status = CampaignStatus.CLOSED
    campaign.updated_at = now
    _log(campaign.kelurahan, "funds.campaign_closed", actor, f"campaign:{campaign.pk}", {})
    return campaign


def earmark_check(
    *,
    account: Account,
    category: str,
    activity_id: int | None = None,
    rt: RT | None = None,
) -> None:
    """Refuse spending an earmarked campaign's money outside its earmark."""
    if account.kind != AccountKind.EARMARK:
        return
    campaign = Campaign.objects.select_related("earmark_rw").get(account=account)
    ok = True
    if campaign.earmark_kind == EarmarkKind.CATEGORY:
        ok = category == campaign.earmark_category
    elif campaign.earmark_kind == EarmarkKind.ACTIVITY:
        ok = activity_id is not None and activity_id == campaign.earmark_activity_id
    elif campaign.earmark_kind == EarmarkKind.RW:
        if rt is None and activity_id is not None:
            rt = activity_selectors.activity_get(kelurahan=campaign.kelurahan, pk=activity_id).rt
        ok = rt is not None and rt.rw_id == campaign.earmark_rw_id
    if not ok:
        raise ValidationFailed(
            _("The money of “%(campaign)s” is earmarked and cannot be spent on this.")
            % {"campaign": campaign.title},
            {"reason": "earmark", "campaign": campaign.pk},
        )


@transaction.atomic
def pledge_create(
    *,
    actor: Any,
    campaign: Campaign,
    sponsor: Organisation,
    cap: Any,
    ratio_numerator: int = 1,
    ratio_denominator: int = 1,
    max_donation: Any = None,
) -> MatchPledge:
    """Record a sponsor's matching pledge; it matches once the sponsor's money is confirmed."""
    kelurahan = campaign.kelurahan
    permission_require(actor, "funds.operate", kelurahan)
    if sponsor.kelurahan_id != kelurahan.pk:
        raise NotFound(_("No such organisation in this kelurahan."))
    cap_value = amount_clean(cap, field="cap")
    limit = amount_clean(max_donation, field="max_donation") if max_donation else None
    if ratio_numerator < 1 or ratio_denominator < 1 or ratio_numerator > 100:
        raise ValidationFailed(_("The ratio must be positive (e.g. 1:1)."), {"field": "ratio"})
    account = _account_new(
        kelurahan,
        AccountKind.MATCH_POOL,
        f"pledge:new-{secrets.token_hex(4)}",
        f"Matching: {sponsor.name} → {campaign.title}",
        organisation=sponsor,
    )
    pledge = MatchPledge.objects.create(
        kelurahan=kelurahan,
        sponsor=sponsor,
        campaign=campaign,
        ratio_numerator=ratio_numerator,
        ratio_denominator=ratio_denominator,
        cap=cap_value,
        max_donation=limit,
        account=account,
        created_by=actor,
    )
    Account.objects.filter(pk=account.pk).update(code=f"pledge:{pledge.pk}")
    account.code = f"pledge:{pledge.pk}"
    _log(
        kelurahan,
        "funds.pledge_created",
        actor,
        f"pledge:{pledge.pk}",
        {
            "campaign": campaign.pk,
            "sponsor": f"organisation:{sponsor.pk}",
            "ratio": f"{ratio_numerator}:{ratio_denominator}",
            "cap": cap_value,
            "max_donation": limit,
        },
    )
    return pledge
