"""Uploaded images, accepted one bounded way: case photos, lost-item photos, promotion pictures
and the admin's blob uploads all come through `accept_image`.

The work an upload can cause is bounded before it is done. The bytes are capped before they are
all read (`read_upload`); the header is read without decoding a pixel (Pillow's `Image.open` is
lazy) to check the format against an allow-list and the declared size against pixel and side
caps, with Pillow's decompression-bomb warning made a refusal; only then are the pixels decoded,
turned upright (EXIF orientation), re-encoded without any metadata (a visitor's photo carries
GPS positions and camera serials) and the result's size capped. Whatever is refused raises
`ImageRefused`, whose message is in the request's language.
"""
from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
"""At most 160 MB of decoded RGBA; a 48-megapixel phone photo is saved at 12 by default."""
MAX_IMAGE_SIDE = 12_000
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif",
               "AVIF": "image/avif"}
FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF", "AVIF": "AVIF"}
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
"""What a camera or a phone's screenshot gives: the default allow-list."""
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)
"""What Pillow raises on a file it cannot read."""
_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)
"""What Pillow raises on a header declaring more pixels than its own limit (the warning made an error)."""


class ImageRefused(Exception):
    """An upload refused before, or instead of, doing unbounded work; `message` is for people."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class AcceptedImage:
    data: bytes
    """Re-encoded: no EXIF, GPS, comments or other metadata; upright."""
    media_type: str
    width: int
    height: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def read_upload(upload, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """The bytes of an uploaded file (Django's UploadedFile), never more than `max_bytes` + 1 read."""
    if upload.size is not None and upload.size > max_bytes:
        raise ImageRefused(gettext("The file is larger than %(size)s MB.") % {"size": _megabytes(max_bytes)},
                           "too_large")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRefused(gettext("The file is larger than %(size)s MB.") % {"size": _megabytes(max_bytes)},
                           "too_large")
    return data


def accept_image(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES, formats: tuple[str, ...] = PHOTO_FORMATS,
                 fit_within: int | None = None, output_format: str | None = None) -> AcceptedImage:
    """Check `data` is a picture in one of `formats` within the caps, and re-encode it.

    `fit_within` shrinks it to at most that many pixels a side; `output_format` (e.g. "JPEG")
    re-encodes in that format instead of the upload's own. An animated GIF or WebP keeps its
    first frame.
    """
    not_a_picture = ImageRefused(
        gettext("The file is not a picture we can read; send a %(formats)s file.")
        % {"formats": ", ".join(FORMAT_NAMES[name] for name in formats)},
        "not_an_image")
    too_many_pixels = ImageRefused(
        gettext("The picture is too large: at most %(pixels)d million pixels and %(side)d pixels a side.")
        % {"pixels": MAX_IMAGE_PIXELS // 1_000_000, "side": MAX_IMAGE_SIDE}, "too_many_pixels")
    if not data:
        raise ImageRefused(gettext("The file is empty."), "empty")
    if len(data) > max_bytes:
        raise ImageRefused(gettext("The file is larger than %(size)s MB.") % {"size": _megabytes(max_bytes)},
                           "too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(formats)) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
                    raise too_many_pixels
                source_format = image.format or ""
                if fit_within and source_format == "JPEG":
                    image.draft("RGB", (fit_within, fit_within))  # decode at 1/2, 1/4 or 1/8 scale
                image.load()
                picture = ImageOps.exif_transpose(image)
    except _BOMB:
        raise too_many_pixels from None
    except _UNREADABLE:
        raise not_a_picture from None
    if fit_within:
        picture.thumbnail((fit_within, fit_within))
    target = output_format or source_format
    if target == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    elif target in ("PNG", "WEBP", "AVIF") and picture.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        picture = picture.convert("RGBA")
    elif target == "GIF" and picture.mode not in ("1", "L", "P"):
        picture = picture.convert("P")
    kept = {"transparency": picture.info["transparency"]} if "transparency" in picture.info else {}
    picture.info = kept  # no EXIF, XMP, ICC, comments or text chunks are written back
    output = io.BytesIO()
    save_options = {"quality": 85} if target in ("JPEG", "WEBP", "AVIF") else {}
    picture.save(output, format=target, **save_options)
    result = output.getvalue()
    if len(result) > max_bytes:
        raise ImageRefused(
            gettext("The picture is larger than %(size)s MB once cleaned; send a smaller one.")
            % {"size": _megabytes(max_bytes)}, "result_too_large")
    return AcceptedImage(data=result, media_type=MEDIA_TYPES[target], width=picture.width, height=picture.height)
