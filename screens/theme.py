"""Colours and sizes of the kiosk interface, in one place so contrast is checked once.

Sizes are in design pixels for a 1080-pixel short side (a 1920×1080 landscape or a 1080×1920
portrait panel); the app multiplies them by its scale `app.u`. Body text and the main buttons
reach 7:1 contrast against their background (WCAG AAA), and so do the accent, the status pills,
the error tint and disabled controls: the accessibility mode (docs/accessibility.md) asks 7:1 of
every text, and its test computes the ratios from these colours. The ratios are noted beside
the colours.
"""
from __future__ import annotations


def rgba(hex_colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (red, green, blue, alpha)


BACKGROUND = rgba("#F4F2ED")
SURFACE = rgba("#FFFFFF")
SURFACE_PRESSED = rgba("#E3E8EE")
INK = rgba("#14181F")  # on BACKGROUND: 15.9:1
INK_MUTED = rgba("#4A5260")  # on BACKGROUND: 7.0:1, on SURFACE 7.9:1
LINE = rgba("#C9CDD3")

HEADER = rgba("#0E2A47")
ON_DARK = rgba("#FFFFFF")  # on HEADER: 14.6:1
ON_DARK_MUTED = rgba("#C7D3E0")  # on HEADER: 9.6:1

PRIMARY = rgba("#0B5C7A")  # white on it: 7.4:1
PRIMARY_PRESSED = rgba("#073F55")
ACCENT = rgba("#963514")  # white on it: 7.5:1
SELECTED = rgba("#0B5C7A")
DISABLED = rgba("#D5D8DD")
ON_DISABLED = rgba("#3A404A")  # on DISABLED: 7.3:1

ERROR = rgba("#930F1C")  # on BACKGROUND: 8.1:1, on ERROR_SURFACE 7.7:1
ERROR_SURFACE = rgba("#FBE9EA")
SUCCESS = rgba("#125A32")  # white on it: 8.3:1; on BACKGROUND 7.4:1
CLOSED = rgba("#4A5260")  # white on it: 7.9:1

ACCESS_BLUE = rgba("#0B4A8F")  # the symbol of access: white on it 8.9:1
ACCESS_BLUE_PRESSED = rgba("#07335F")

TILE_COLOURS = {
    "directory": rgba("#0B5C7A"),
    "map": rgba("#2D5A27"),
    "promotions": rgba("#8A2F12"),
    "feedback": rgba("#4B2F7A"),
    "found": rgba("#6B4A05"),
}

# Map drawing
MAP_BACKGROUND = rgba("#E9ECEF")
MAP_OUTLINE = rgba("#FFFFFF")
MAP_UNIT = rgba("#D7DEE6")
MAP_UNIT_EDGE = rgba("#8D99A6")
MAP_CORRIDOR = rgba("#FFFFFF")
MAP_ATRIUM = rgba("#DCEBF5")
MAP_VOID = rgba("#C4CBD3")
MAP_FACILITY = rgba("#CFE3D5")
MAP_LANDMARK = rgba("#F3E3C3")
MAP_HIGHLIGHT = rgba("#B3401A")
MAP_YOU_ARE_HERE = rgba("#A50D26")  # on its 92 % white tag over the map: 7.7:1

# Sizes (design pixels at a 1080-pixel short side)
HEADER_HEIGHT = 104
FOOTER_HEIGHT = 124
ACCESS_BAR_HEIGHT = 112
"""The accessibility mode's own row (read aloud, say again, leave) above the footer."""
TOUCH_MIN = 96
"""Smallest touch target: 96 design px (≥ 60 px at 1080p even on a small panel)."""
GAP = 24
RADIUS = 18

TEXT_SMALL = 26
TEXT_BODY = 32
TEXT_LARGE = 40
TEXT_TITLE = 52
TEXT_HUGE = 88
