"""The indicator catalogue: every KPI of the user's documents, its definition, target and
the log entry types behind it, and whether the platform publishes it yet.

Sources: section 7 "Indikator Keberhasilan", section 10 "KPI & metrik monitoring" and the
integrity indicators table of the seed documents. An indicator whose data does not exist
yet (public services, the vulnerable-residents baseline) is listed as not yet published:
it lowers the open data index instead of showing a made-up number.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kpi:
    code: str
    title: str | Promise
    definition: str | Promise
    target: str | Promise
    unit: str  # count, percent, hours, stars, per_activity
    # Target test: (comparator, number), e.g. (">=", 95); None when informative only.
    goal: tuple[str, float] | None = None
    log_types: tuple[str, ...] = ()
    source: str | Promise = ""
    published: bool = True
    missing_reason: str | Promise = ""
    fields: tuple[str, ...] = field(default_factory=tuple)


CATALOGUE: list[Kpi] = [
    Kpi(
        "active_users",
        _("Active users"),
        _(
            "Distinct accounts of this kelurahan that logged in, raised a need, signed an "
            "activity off, rated help or checked in as a volunteer in the last 90 days."
        ),
        _("at least 1,000 active users in 90 days"),
        "count",
        (">=", 1000),
        ("need.submitted", "activity.signoff", "activity.rated", "activity.checked_in"),
        _("accounts, needs, activities"),
    ),
    Kpi(
        "adoption",
        _("Registered households (adoption)"),
        _(
            "Households (KK) registered on the platform as a share of all households in the "
            "official count (monografi) entered by the kelurahan."
        ),
        _("20-30% of households in the pilot RWs"),
        "percent",
        (">=", 20),
        ("household.registered",),
        _("registry, official household count"),
    ),
    Kpi(
        "needs_raised",
        _("Needs raised"),
        _("Requests for help submitted, by any channel, since the start."),
        _("informative"),
        "count",
        None,
        ("need.submitted",),
        _("needs"),
    ),
    Kpi(
        "needs_matched",
        _("Needs matched"),
        _("Needs that got help assigned (matched) or went further."),
        _("informative"),
        "count",
        None,
        ("need.matched",),
        _("needs"),
    ),
    Kpi(
        "needs_delivered",
        _("Needs delivered"),
        _("Needs whose help was delivered with photo evidence (or went further)."),
        _("informative"),
        "count",
        None,
        ("need.delivered",),
        _("needs"),
    ),
    Kpi(
        "needs_closed",
        _("Needs closed"),
        _("Needs closed after the recipient's confirmation and every sign-off."),
        _("informative"),
        "count",
        None,
        ("need.closed",),
        _("needs"),
    ),
    Kpi(
        "delivery_hours_high",
        _("Time to delivery, high urgency (median)"),
        _(
            "Hours from submission to delivery of needs of high urgency: median and 90th "
            "percentile; the other urgencies are in the table."
        ),
        _("under 48 hours"),
        "hours",
        ("<", 48),
        ("need.submitted", "need.delivered"),
        _("needs"),
    ),
    Kpi(
        "evidence_complete",
        _("Activities with complete evidence"),
        _(
            "Finished activities (reported, signed off or closed) that have a photo and "
            "every sign-off (executor, RT, RW and the independent verifiers)."
        ),
        _("at least 95%"),
        "percent",
        (">=", 95),
        ("evidence.recorded", "activity.signoff"),
        _("activities, transparency"),
    ),
    Kpi(
        "claims_validated",
        _("Claims validated"),
        _(
            "Delivered needs whose delivery claim was confirmed by the recipient (one-time "
            "code) or by the RT head on their behalf."
        ),
        _("at least 90%"),
        "percent",
        (">=", 90),
        ("need.delivered", "need.confirmed"),
        _("needs"),
    ),
    Kpi(
        "rating_average",
        _("Average rating"),
        _("Average of the 1-5 ratings recipients gave to the help they received."),
        _("at least 4 of 5"),
        "stars",
        (">=", 4),
        ("activity.rated",),
        _("activities"),
    ),
    Kpi(
        "verifiers_per_activity",
        _("Independent verifiers per activity"),
        _("Average number of independent verifiers who signed each signed-off activity."),
        _("at least 3"),
        "per_activity",
        (">=", 3),
        ("activity.signoff",),
        _("activities"),
    ),
    Kpi(
        "activities_90d",
        _("Gotong royong activities recorded"),
        _(
            "Activities (deliveries, kerja bakti, posyandu, ...) held in the last 90 days, "
            "not counting cancelled ones."
        ),
        _("at least 30 in 90 days"),
        "count",
        (">=", 30),
        ("activity.created",),
        _("activities"),
    ),
    Kpi(
        "open_data_index",
        _("Open data index"),
        _("Share of the indicators of this catalogue that are published as open data."),
        _("at least 80%"),
        "percent",
        (">=", 80),
        (),
        _("this catalogue"),
    ),
    Kpi(
        "money_raised",
        _("Money raised"),
        _(
            "Money donations confirmed in the ledger (campaigns, aid and operational fund), "
            "net of reversals, since the start."
        ),
        _("informative"),
        "rupiah",
        None,
        ("funds.donation_recorded",),
        _("funds ledger"),
    ),
    Kpi(
        "money_matched",
        _("Money matched"),
        _("Money added by sponsors' matching pledges when they match a donation."),
        _("informative"),
        "rupiah",
        None,
        ("funds.transfer",),
        _("funds ledger"),
    ),
    Kpi(
        "money_spent",
        _("Money spent"),
        _("Money paid out as aid (cash aid, suppliers) and vouchers redeemed at UMKM."),
        _("informative"),
        "rupiah",
        None,
        ("funds.disbursement_approved", "funds.transfer"),
        _("funds ledger"),
    ),
    Kpi(
        "money_balance",
        _("Balance for aid"),
        _("Money still held for aid now: aid fund, campaigns and earmarks."),
        _("informative"),
        "rupiah",
        None,
        ("funds.transfer",),
        _("funds ledger"),
    ),
    Kpi(
        "goods_in",
        _("Goods in (declared value)"),
        _("Declared value of in-kind goods received."),
        _("informative"),
        "rupiah",
        None,
        ("funds.goods",),
        _("funds ledger"),
    ),
    Kpi(
        "goods_out",
        _("Goods out (declared value)"),
        _("Declared value of in-kind goods handed out."),
        _("informative"),
        "rupiah",
        None,
        ("funds.goods",),
        _("funds ledger"),
    ),
    Kpi(
        "umkm_turnover",
        _("UMKM turnover growth"),
        _(
            "Growth of the local UMKM's average revenue per market cycle through Pasar Gotong "
            "Royong since the baseline (the first cycles), in percent."
        ),
        _("+15-20% in 3 months"),
        "percent",
        (">=", 15),
        ("market.order_placed", "market.order_delivered", "market.cycle_fulfilled"),
        _("market orders"),
    ),
    Kpi(
        "service_minutes",
        _("Time per digital public service"),
        _("Minutes per digital public service (letters, complaints)."),
        _("under 5 minutes per service"),
        "count",
        published=False,
        missing_reason=_("Digital public services are not part of the platform yet."),
    ),
    Kpi(
        "vulnerable_reduction",
        _("Reduction of vulnerable residents"),
        _("Change in the number of vulnerable households against the baseline."),
        _("-10% from the baseline"),
        "percent",
        published=False,
        missing_reason=_(
            "Vulnerability scores are for RT and operator review only; a public baseline "
            "has not been agreed yet."
        ),
    ),
]

BY_CODE = {kpi.code: kpi for kpi in CATALOGUE}


def kpi_meets(kpi: Kpi, value: float | None) -> bool | None:
    """Whether a value meets the KPI's target (None when unknown or informative)."""
    if kpi.goal is None or value is None:
        return None
    comparator, number = kpi.goal
    return {">=": value >= number, "<": value < number, "<=": value <= number}[comparator]


def open_data_index() -> float:
    """Share of catalogue indicators that are published (percent, one decimal)."""
    published = sum(1 for kpi in CATALOGUE if kpi.published)
    return round(100 * published / len(CATALOGUE), 1)
