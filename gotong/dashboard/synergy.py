"""The stakeholder synergy diagram of the documents (Warga <-> Portal <-> Data Intelligence
<-> Pemerintah <-> Komunitas <-> UMKM <-> Warga, on social, economic, governance and
technology layers), with live figures. One layout feeds the SVG page and the PDF."""

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

WIDTH, HEIGHT = 640, 460
BAND = HEIGHT / 4


@dataclass(frozen=True)
class Layer:
    code: str
    title: str | Promise
    members: str | Promise
    colour: str


LAYERS = [
    Layer("teknologi", _l("Technology layer"), _l("AI, data, security"), "#e8eef8"),
    Layer("pemerintahan", _l("Governance layer"), _l("dashboard, policy"), "#f3ecf8"),
    Layer("sosial", _l("Social layer"), _l("PKK, Karang Taruna, RT/RW"), "#eaf5ec"),
    Layer("ekonomi", _l("Economic layer"), _l("UMKM, local market"), "#fbf3e2"),
]


@dataclass(frozen=True)
class Node:
    code: str
    label: str
    layer: str
    x: float
    y: float
    role: str | Promise
    benefit: str | Promise


# Roles and benefits from the stakeholder table ("Sinergi Stakeholder") of the documents.
NODES = [
    Node(
        "warga",
        "Warga",
        "sosial",
        110,
        290,
        _l("Active participants"),
        _l("Fast access to help and to work opportunities"),
    ),
    Node(
        "portal",
        "Portal Gotong Royong",
        "teknologi",
        190,
        58,
        _l("Registration, requests for help, catalogue, activity sign-up (web, phone, kiosk)"),
        _l("One place where needs and resources meet, with proof of every step"),
    ),
    Node(
        "data",
        "Data Intelligence",
        "teknologi",
        450,
        58,
        _l("Needs analysis, matching, public dashboard, audit trail"),
        _l("Decisions based on data; figures anyone can check"),
    ),
    Node(
        "pemerintah",
        "Pemerintah",
        "pemerintahan",
        520,
        172,
        _l("Kelurahan government: facilitator of data and coordination"),
        _l("Accurate data and more efficient services"),
    ),
    Node(
        "komunitas",
        "Komunitas",
        "sosial",
        430,
        290,
        _l(
            "PKK and DKB Srikandi (family and women's education), Karang Taruna (young "
            "digital innovators and volunteers)"
        ),
        _l("Household economic independence, new work"),
    ),
    Node(
        "umkm",
        "UMKM",
        "ekonomi",
        270,
        402,
        _l("Local economic actors"),
        _l("Access to a digital market"),
    ),
]
CYCLE = ["warga", "portal", "data", "pemerintah", "komunitas", "umkm", "warga"]


def node_figures(*, public: dict[str, Any], extra: dict[str, Any]) -> dict[str, list[str]]:
    """Live figures per node, from the public snapshot (suppressed values stay "<5")."""
    kpis = {k["code"]: k["value"] for k in public.get("kpis", [])}
    counts = public.get("counts", {})

    def show(value: Any, suffix: str = "") -> str:
        return "–" if value is None else f"{value}{suffix}"

    return {
        "warga": [
            _("%(n)s households registered") % {"n": show(counts.get("households"))},
            _("%(n)s active users") % {"n": show(kpis.get("active_users"))},
        ],
        "portal": [
            _("%(n)s needs raised") % {"n": show(kpis.get("needs_raised"))},
            _("%(n)s delivered") % {"n": show(kpis.get("needs_delivered"))},
        ],
        "data": [
            _("open data index %(n)s") % {"n": show(kpis.get("open_data_index"), "%")},
            _("%(n)s log entries") % {"n": extra.get("log_size", 0)},
        ],
        "pemerintah": [
            _("%(n)s activities signed off") % {"n": show(counts.get("signed_off"))},
            _("%(n)s needs closed") % {"n": show(kpis.get("needs_closed"))},
        ],
        "komunitas": [
            _("%(n)s activities in 90 days") % {"n": show(kpis.get("activities_90d"))},
            _("%(n)s volunteers active") % {"n": show(counts.get("volunteers_recent"))},
        ],
        "umkm": [
            _("%(n)s UMKM registered") % {"n": extra.get("umkm", 0)},
        ],
    }


def _edge(a: Node, b: Node) -> str:
    return (
        f'<line x1="{a.x:.0f}" y1="{a.y:.0f}" x2="{b.x:.0f}" y2="{b.y:.0f}" stroke="#5b6660" '
        f'stroke-width="2" marker-start="url(#arrow)" marker-end="url(#arrow)"/>'
    )


def synergy_svg(*, figures: dict[str, list[str]], title: str) -> SafeString:
    """The diagram as inline SVG; each node links to its explanation (#node-<code>)."""
    by_code = {n.code: n for n in NODES}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" id="synergy-svg" role="img" '
        f'aria-label="{escape(title)}" font-family="system-ui, sans-serif">'
        f"<title>{escape(title)}</title>"
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#5b6660"/></marker></defs>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
    ]
    for index, layer in enumerate(LAYERS):
        y = index * BAND
        parts.append(
            f'<rect x="0" y="{y:.0f}" width="{WIDTH}" height="{BAND:.0f}" fill="{layer.colour}"/>'
            f'<text x="8" y="{y + 16:.0f}" font-size="11" font-weight="bold" fill="#5b6660">'
            f"{escape(str(layer.title))}</text>"
            f'<text x="8" y="{y + 30:.0f}" font-size="10" fill="#5b6660">'
            f"{escape(str(layer.members))}</text>"
        )
    for a, b in zip(CYCLE, CYCLE[1:], strict=False):
        parts.append(_edge(by_code[a], by_code[b]))
    for node in NODES:
        lines = figures.get(node.code, [])
        w, h = 170, 30 + 15 * len(lines)
        x, y = node.x - w / 2, node.y - h / 2
        parts.append(
            f'<a href="#node-{node.code}" aria-label="{escape(node.label)}">'
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{w}" height="{h}" rx="10" fill="#ffffff" '
            f'stroke="#0f7b4f" stroke-width="2"/>'
            f'<text x="{node.x:.0f}" y="{y + 19:.0f}" font-size="13" font-weight="bold" '
            f'text-anchor="middle" fill="#0f7b4f">{escape(node.label)}</text>'
        )
        for i, line in enumerate(lines):
            parts.append(
                f'<text x="{node.x:.0f}" y="{y + 36 + 15 * i:.0f}" font-size="11" '
                f'text-anchor="middle" fill="#1d2521">{escape(line)}</text>'
            )
        parts.append("</a>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
