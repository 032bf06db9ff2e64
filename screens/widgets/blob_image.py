"""Images from the content store (promotion pictures, store logos), by SHA-256.

Blobs are stored without a file extension, which Kivy's image loaders need, so Pillow
decodes them. Two widgets, for two kinds of use:

- BlobImage (cards, logos): pictures scaled down to what the widget can show, their textures
  shared through one small LRU cache bounded in bytes, not in pictures.
- SlideImage (the attract loop): one texture of its own, exactly its size, into which each
  new picture is drawn (cropped or letterboxed by Pillow). A signage loop that runs for months
  then allocates no texture at all after its first slide: creating and freeing a full-screen
  texture per slide is what made resident memory climb by gigabytes (software GL drivers and
  the C allocator keep the freed memory; Kivy issues #2215, #5660).
"""
from __future__ import annotations

import logging
from collections import OrderedDict

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, OptionProperty, StringProperty
from kivy.uix.image import Image
from PIL import Image as PILImage
from PIL import ImageOps

log = logging.getLogger(__name__)

MAX_CACHED_BYTES = 48 * 1024 * 1024
"""Shared card and logo textures: about six 1024-pixel pictures, or hundreds of logos."""
DEFAULT_MAX_SIDE = 1920


def _open_blob(sha256: str):
    """The picture of blob `sha256` opened by Pillow (OSError: no app, no such blob)."""
    app = App.get_running_app()
    if app is None or not sha256:
        raise OSError("no running app or no blob")
    return PILImage.open(app.store.blob_path(sha256))


def _rgba_bottom_up(picture) -> bytes:
    """Pixels as Kivy's textures expect them: RGBA, bottom row first."""
    return picture.convert("RGBA").transpose(PILImage.Transpose.FLIP_TOP_BOTTOM).tobytes()


def scaled_pixels(sha256: str, max_side: int) -> tuple[tuple[int, int], bytes] | None:
    """The picture at most `max_side` pixels on its longer side: (size, RGBA bytes)."""
    try:
        with _open_blob(sha256) as picture:
            picture.draft("RGB", (max_side, max_side))  # JPEG: decode at reduced size
            picture = picture.convert("RGBA")
            picture.thumbnail((max_side, max_side))
            return picture.size, _rgba_bottom_up(picture)
    except (OSError, ValueError, SyntaxError):
        log.warning("image blob %s is missing or unreadable", sha256)
        return None


def fitted_pixels(sha256: str, width: int, height: int, fit: str) -> bytes | None:
    """The picture made exactly width×height: "cover" crops what overflows, "contain"
    letterboxes it on transparent borders. RGBA bytes, or None when it cannot be read."""
    try:
        with _open_blob(sha256) as picture:
            picture.draft("RGB", (width, height))
            picture = picture.convert("RGBA")
            if fit == "cover":
                fitted = ImageOps.fit(picture, (width, height), method=PILImage.Resampling.BILINEAR)
            else:
                inner = ImageOps.contain(picture, (width, height), method=PILImage.Resampling.BILINEAR)
                fitted = PILImage.new("RGBA", (width, height), (0, 0, 0, 0))
                fitted.paste(inner, ((width - inner.width) // 2, (height - inner.height) // 2))
            return _rgba_bottom_up(fitted)
    except (OSError, ValueError, SyntaxError):
        log.warning("image blob %s is missing or unreadable", sha256)
        return None


class BlobTextureCache:
    """Least recently used textures, at most `capacity_bytes` of pixels in all."""

    def __init__(self, capacity_bytes: int = MAX_CACHED_BYTES):
        self.capacity_bytes = capacity_bytes
        self._textures: OrderedDict[tuple[str, int], Texture] = OrderedDict()
        self._bytes = 0

    def get(self, sha256: str, max_side: int = DEFAULT_MAX_SIDE) -> Texture | None:
        key = (sha256, int(max_side))
        texture = self._textures.get(key)
        if texture is not None:
            self._textures.move_to_end(key)
            return texture
        decoded = scaled_pixels(sha256, int(max_side))
        if decoded is None:
            return None
        size, pixels = decoded
        texture = Texture.create(size=size, colorfmt="rgba")
        texture.blit_buffer(pixels, colorfmt="rgba", bufferfmt="ubyte")
        texture.mag_filter = "linear"
        self._textures[key] = texture
        self._bytes += len(pixels)
        while self._bytes > self.capacity_bytes and len(self._textures) > 1:
            _, evicted = self._textures.popitem(last=False)
            self._bytes -= evicted.width * evicted.height * 4
        return texture

    def clear(self) -> None:
        self._textures.clear()
        self._bytes = 0

    @property
    def bytes_held(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._textures)


textures = BlobTextureCache()


class BlobImage(Image):
    """An Image widget that shows the content blob `sha256` (nothing if it is missing)."""

    sha256 = StringProperty("")
    max_side = NumericProperty(DEFAULT_MAX_SIDE)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(sha256=self._load, max_side=self._load)
        self._load()

    def _load(self, *args) -> None:
        self.texture = textures.get(self.sha256, int(self.max_side)) if self.sha256 else None


class SlideImage(Image):
    """A full-screen picture that reuses one texture the size of the widget (see the module
    docstring). Setting `sha256` draws the picture at once, so a slide set while hidden is
    ready when it fades in; a new size redraws on the next frame."""

    sha256 = StringProperty("")
    fit = OptionProperty("cover", options=["cover", "contain"])

    def __init__(self, **kwargs):
        kwargs.setdefault("fit_mode", "fill")  # the pixels are already fitted to the widget
        super().__init__(**kwargs)
        self._own_texture: Texture | None = None
        self._drawn: tuple | None = None
        self._redraw_later = Clock.create_trigger(self._draw)
        self.bind(sha256=self._draw, fit=self._draw, size=self._redraw_later)

    def _draw(self, *args) -> None:
        width, height = int(self.width), int(self.height)
        if not self.sha256 or width < 2 or height < 2:
            self._drawn = None
            self.texture = None
            return
        wanted = (self.sha256, width, height, self.fit)
        if wanted == self._drawn:
            return
        pixels = fitted_pixels(self.sha256, width, height, self.fit)
        if pixels is None:
            self._drawn = None
            self.texture = None
            return
        texture = self._own_texture
        if texture is None or texture.size != (width, height):
            texture = Texture.create(size=(width, height), colorfmt="rgba")
            texture.mag_filter = "linear"
            self._own_texture = texture
        texture.blit_buffer(pixels, colorfmt="rgba", bufferfmt="ubyte")
        self._drawn = wanted
        if self.texture is texture:
            self.canvas.ask_update()
        else:
            self.texture = texture
