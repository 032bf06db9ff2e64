"""Images from the content store (promotion pictures, store logos), by SHA-256.

Blobs are stored without a file extension, which Kivy's image loaders need, so Pillow
decodes them. Large pictures are scaled down to what a panel can show, and decoded
textures live in one small LRU cache: a signage loop that runs for months keeps a bounded
number of textures, rather than one per image ever shown (Kivy issues #2215, #5660).
"""
from __future__ import annotations

import logging
from collections import OrderedDict

from kivy.app import App
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.image import Image
from PIL import Image as PILImage

log = logging.getLogger(__name__)

MAX_CACHED_TEXTURES = 24
DEFAULT_MAX_SIDE = 1920


class BlobTextureCache:
    def __init__(self, capacity: int = MAX_CACHED_TEXTURES):
        self.capacity = capacity
        self._textures: OrderedDict[tuple[str, int], Texture] = OrderedDict()

    def get(self, sha256: str, max_side: int = DEFAULT_MAX_SIDE) -> Texture | None:
        key = (sha256, int(max_side))
        texture = self._textures.get(key)
        if texture is not None:
            self._textures.move_to_end(key)
            return texture
        texture = self._load(sha256, int(max_side))
        if texture is None:
            return None
        self._textures[key] = texture
        while len(self._textures) > self.capacity:
            self._textures.popitem(last=False)
        return texture

    def clear(self) -> None:
        self._textures.clear()

    def __len__(self) -> int:
        return len(self._textures)

    @staticmethod
    def _load(sha256: str, max_side: int) -> Texture | None:
        app = App.get_running_app()
        if app is None or not sha256:
            return None
        try:
            path = app.store.blob_path(sha256)
            with PILImage.open(path) as picture:
                picture.draft("RGB", (max_side, max_side))  # JPEG: decode at reduced size
                picture = picture.convert("RGBA")
                picture.thumbnail((max_side, max_side))
                data = picture.transpose(PILImage.Transpose.FLIP_TOP_BOTTOM).tobytes()
                size = picture.size
        except (OSError, ValueError):
            log.warning("image blob %s is missing or unreadable", sha256)
            return None
        texture = Texture.create(size=size, colorfmt="rgba")
        texture.blit_buffer(data, colorfmt="rgba", bufferfmt="ubyte")
        texture.mag_filter = "linear"
        return texture


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
