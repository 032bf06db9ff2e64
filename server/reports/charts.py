"""Bar charts as inline SVG, drawn on the server: no JavaScript, no CDN, and they print."""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_COLOUR = "#0b5cad"


def horizontal_bars(pairs: list[tuple[str, float]], *, title: str, width: int = 520,
                    colour: str = BAR_COLOUR) -> SafeString:
    """One labelled bar per (label, value), longest first as given."""
    if not pairs:
        return mark_safe("")
    row, label_width, value_width = 26, 170, 56
    height = row * len(pairs) + 8
    biggest = max(value for _, value in pairs) or 1
    bar_space = width - label_width - value_width
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for index, (label, value) in enumerate(pairs):
        y = 4 + index * row
        length = max(1.0, bar_space * value / biggest) if value else 0
        shown = label if len(label) <= 14 else label[:13] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="#1d2129">'
            f"{escape(shown)}</text>"
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row - 10}" rx="3" fill="{colour}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 17}" font-size="13" fill="#4e5969">'
            f"{escape(_number(value))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def columns(pairs: list[tuple[str, float]], *, title: str, width: int = 940, height: int = 180,
            colour: str = BAR_COLOUR) -> SafeString:
    """Vertical columns, e.g. cases per day of a month, with every label under its column."""
    if not pairs:
        return mark_safe("")
    bottom, top = 22, 16
    biggest = max(value for _, value in pairs) or 1
    slot = width / len(pairs)
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>",
             f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#c9cdd4"/>']
    for index, (label, value) in enumerate(pairs):
        bar_height = (height - bottom - top) * value / biggest
        x = index * slot
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{height - bottom - bar_height:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{bar_height:.1f}" fill="{colour}"><title>{escape(label)}: {escape(_number(value))}</title></rect>'
            f'<text x="{x + slot / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="10" fill="#4e5969">'
            f"{escape(label)}</text>"
        )
        if value:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - bottom - bar_height - 3:.1f}" '
                         f'text-anchor="middle" font-size="10" fill="#1d2129">{escape(_number(value))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
