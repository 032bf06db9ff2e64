"""Saving what the window shows to a PNG, at an exact path.

`Window.screenshot()` appends a counter to the name and reads whatever the back buffer holds
after the last flip (undefined with double buffering). Here the window is drawn once more and
read back before any flip, so the image shows exactly the current state.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image


def window_image() -> Image.Image:
    """The current window contents as a PIL image (tests decode QR codes from it)."""
    from kivy.core.window import Window
    from kivy.graphics.opengl import (
        GL_PACK_ALIGNMENT,
        GL_RGB,
        GL_UNSIGNED_BYTE,
        glPixelStorei,
        glReadPixels,
    )

    Window.dispatch("on_draw")
    width, height = (int(v) for v in Window.size)
    glPixelStorei(GL_PACK_ALIGNMENT, 1)
    data = glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)
    return Image.frombytes("RGB", (width, height), data).transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def capture_window(path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    window_image().save(path)
    return path
