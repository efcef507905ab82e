"""Charts and the RW map as server-side SVG (no JavaScript, no CDN, no tile server).

Only presentation attributes are used (no ``style`` attributes), so the strict CSP holds.
Every chart is described by ``role="img"`` with a title; the page puts the same numbers in
a table next to it.
"""

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

ACCENT = "#0f7b4f"
MUTED = "#5b6660"
LINE = "#dcdfd8"
WARN = "#e07a00"
# Sequential greens for the choropleth (light to dark) and grey for "no data".
SCALE = ["#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"]
NO_DATA = "#eeeeee"


def _text(
    x: float, y: float, body: str, size: int = 11, anchor: str = "middle", **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="#1d2521"{extra}>{escape(body)}</text>'
    )


def bar_chart(
    items: list[tuple[str, Any]], *, title: str, width: int = 340, height: int = 180
) -> SafeString:
    """Vertical bars; a suppressed value ("<5", "x") is drawn as an outlined stub."""
    numbers = [v for _l, v in items if isinstance(v, int | float)]
    top = max(numbers + [1])
    left, bottom, right, top_pad = 28, 28, 6, 16
    inner_w = width - left - right
    inner_h = height - bottom - top_pad
    step = inner_w / max(len(items), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" '
        f'y2="{height - bottom}" stroke="{LINE}"/>',
        _text(left - 4, top_pad + 4, str(top), 10, "end"),
        _text(left - 4, height - bottom, "0", 10, "end"),
    ]
    for index, (label, value) in enumerate(items):
        x = left + index * step + step * 0.15
        w = step * 0.7
        if isinstance(value, int | float):
            h = inner_h * value / top
            parts.append(
                f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{w:.1f}" '
                f'height="{h:.1f}" fill="{ACCENT}"/>'
            )
            shown = str(value)
        else:
            parts.append(
                f'<rect x="{x:.1f}" y="{height - bottom - 6:.1f}" width="{w:.1f}" height="6" '
                f'fill="none" stroke="{MUTED}" stroke-dasharray="2 2"/>'
            )
            shown = str(value)
        bar = inner_h * value / top if isinstance(value, int | float) else 6
        parts.append(_text(x + w / 2, height - bottom - 3 - bar, shown, 9))
        parts.append(_text(x + w / 2, height - bottom + 13, label, 9))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def delivery_chart(rows: list[dict[str, Any]], *, title: str, width: int = 340) -> SafeString:
    """Horizontal bars of the median and 90th percentile per urgency, target as a mark."""
    height = 34 + 34 * len(rows)
    numbers = [r[k] for r in rows for k in ("p50", "p90", "target") if r.get(k) is not None]
    top = max(numbers + [1]) * 1.1
    left, right = 78, 10
    inner = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
    ]
    for index, row in enumerate(rows):
        y = 10 + index * 34
        parts.append(_text(left - 6, y + 14, row["label"], 11, "end"))
        if row.get("p90") is not None:
            parts.append(
                f'<rect x="{left}" y="{y + 3}" width="{inner * row["p90"] / top:.1f}" height="18" '
                f'fill="#a1d99b"/>'
            )
        if row.get("p50") is not None:
            parts.append(
                f'<rect x="{left}" y="{y + 7}" width="{inner * row["p50"] / top:.1f}" height="10" '
                f'fill="{ACCENT}"/>'
            )
        else:
            parts.append(_text(left + 4, y + 16, row.get("empty", "<5"), 10, "start"))
        tx = left + inner * row["target"] / top
        parts.append(
            f'<line x1="{tx:.1f}" y1="{y}" x2="{tx:.1f}" y2="{y + 24}" stroke="{WARN}" '
            f'stroke-width="2"/>'
        )
    legend_y = height - 8
    parts.append(
        f'<rect x="{left}" y="{legend_y - 8}" width="10" height="8" fill="{ACCENT}"/>'
        + _text(left + 14, legend_y, row_legend(0), 9, "start")
        + f'<rect x="{left + 80}" y="{legend_y - 8}" width="10" height="8" fill="#a1d99b"/>'
        + _text(left + 94, legend_y, row_legend(1), 9, "start")
        + f'<line x1="{left + 170}" y1="{legend_y - 9}" x2="{left + 170}" y2="{legend_y + 1}" '
        f'stroke="{WARN}" stroke-width="2"/>'
        + _text(left + 176, legend_y, row_legend(2), 9, "start")
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def row_legend(index: int) -> str:
    return [_("median"), _("90th percentile"), _("target")][index]


def _rings(boundary: Any) -> list[list[list[float]]]:
    if not isinstance(boundary, dict):
        return []
    if boundary.get("type") == "Polygon":
        return [boundary["coordinates"][0]]
    if boundary.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in boundary["coordinates"]]
    return []


def rw_map(rows: list[dict[str, Any]], *, title: str, width: int = 340) -> SafeString | None:
    """Choropleth of the RWs from their GeoJSON boundaries: darker = higher adoption."""
    shapes = [(row, ring) for row in rows for ring in _rings(row.get("boundary"))]
    if not shapes:
        return None
    lons = [float(p[0]) for _r, ring in shapes for p in ring]
    lats = [float(p[1]) for _r, ring in shapes for p in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    span = max(east - west, north - south) or 1.0
    scale = (width - 20) / span
    height = int((north - south) * scale) + 20
    values = [r["share"] for r in rows if r.get("share") is not None]
    top = max(values + [1.0])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" '
        f'role="img" aria-label="{escape(title)}" class="chart map"><title>{escape(title)}</title>'
    ]
    labelled = set()
    for row, ring in shapes:
        points = " ".join(
            f"{10 + (float(lon) - west) * scale:.1f},{10 + (north - float(lat)) * scale:.1f}"
            for lon, lat in ((p[0], p[1]) for p in ring)
        )
        share = row.get("share")
        fill = NO_DATA if share is None else SCALE[min(int(share / top * (len(SCALE) - 1)), 5)]
        parts.append(
            f'<polygon points="{points}" fill="{fill}" stroke="#1d2521" stroke-width="1"/>'
        )
        if row["rw"] not in labelled:
            labelled.add(row["rw"])
            xs = [10 + (float(p[0]) - west) * scale for p in ring]
            ys = [10 + (north - float(p[1])) * scale for p in ring]
            cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
            shown = "–" if share is None else f"{share:.0f}%"
            parts.append(_text(cx, cy, f"RW {row['rw']:02d}", 12, font_weight="bold"))
            parts.append(_text(cx, cy + 15, shown, 11))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
