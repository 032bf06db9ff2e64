"""A QR code drawn crisply: one texel block per module, `nearest` filtering, 4-module quiet zone.

The old kivy-garden widget drew a short quiet zone (phones then fail to read it against a
dark frame) and built its texture on a thread. Here the matrix comes from `qrcode`, with the
quiet zone the standard asks for, and the drawn size is a whole multiple of the module count
so every module is the same number of screen pixels.
"""
from __future__ import annotations

import qrcode
from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.widget import Widget

QUIET_ZONE_MODULES = 4
TEXELS_PER_MODULE = 4
"""Texture rows are then a multiple of 4 bytes long: no GL unpack-alignment skew."""


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules of `data` (True = dark), quiet zone included; error correction M."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE_MODULES)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


def luminance_bytes(matrix: list[list[bool]], scale: int = TEXELS_PER_MODULE) -> bytes:
    """The matrix as 8-bit luminance rows, bottom row first (Kivy's texture origin)."""
    rows = []
    for row in reversed(matrix):
        line = bytes(0 if dark else 255 for dark in row for _ in range(scale))
        rows.extend([line] * scale)
    return b"".join(rows)


class QRCodeWidget(Widget):
    """Shows `data` as a QR code as large as fits in the widget, centred, on white."""

    data = StringProperty("")
    modules = NumericProperty(0)
    """Modules per side, quiet zone included (0 when there is no data)."""
    module_pixels = NumericProperty(0)
    """Screen pixels per module as drawn."""
    texture = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Redraw once per frame after the layout settled: x, y, width and height may notify one
        # at a time, and a draw between them would leave the code where the widget was.
        self._draw_soon = Clock.create_trigger(self._draw, -1)
        self.bind(data=self._make_texture, pos=self._draw_soon, size=self._draw_soon)
        self._make_texture()

    def _make_texture(self, *args) -> None:
        if not self.data:
            self.texture = None
            self.modules = 0
            self._draw()
            return
        matrix = qr_matrix(self.data)
        side = len(matrix) * TEXELS_PER_MODULE
        texture = Texture.create(size=(side, side), colorfmt="luminance")
        texture.mag_filter = "nearest"
        texture.min_filter = "nearest"
        texture.blit_buffer(luminance_bytes(matrix), colorfmt="luminance", bufferfmt="ubyte")
        self.modules = len(matrix)
        self.texture = texture
        self._draw()

    def _draw(self, *args) -> None:
        self.canvas.clear()
        if self.texture is None or not self.modules:
            self.module_pixels = 0
            return
        per_module = int(min(self.width, self.height) // self.modules)
        self.module_pixels = per_module
        side = per_module * self.modules
        x = int(self.x + (self.width - side) / 2)
        y = int(self.y + (self.height - side) / 2)
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(pos=(x, y), size=(side, side))
            Rectangle(texture=self.texture, pos=(x, y), size=(side, side))
