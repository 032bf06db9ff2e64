"""CJK fonts for the kiosk: Simplified Chinese by default, Traditional Chinese for zh_TW.

Kivy opens only the first face of a `.ttc` collection, and the first face of Debian's Noto
Sans CJK collections is the Japanese one, whose glyphs differ from Chinese for many
characters (骨, 直, 角 …). So the Simplified (SC) and Traditional (TC) faces are copied out of
the collections into a cache directory once, at first start, and registered under our own
font names. Kivy's default name 'Roboto' is pointed at the SC face so that any widget without
an explicit font still draws Chinese instead of boxes.
"""
from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

COLLECTION_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/usr/share/fonts/truetype/noto"),
)
COLLECTIONS = {"regular": "NotoSansCJK-Regular.ttc", "bold": "NotoSansCJK-Bold.ttc"}
FAMILIES = {"SC": "Noto Sans CJK SC", "TC": "Noto Sans CJK TC"}

SIMPLIFIED_FONT = "ConciergeSC"
TRADITIONAL_FONT = "ConciergeTC"
FONT_FOR_LANGUAGE = {"zh_CN": SIMPLIFIED_FONT, "en": SIMPLIFIED_FONT, "zh_TW": TRADITIONAL_FONT}


@dataclass(frozen=True)
class ExtractedFonts:
    """Paths of the extracted faces: {("SC"|"TC", "regular"|"bold"): path}."""

    paths: dict[tuple[str, str], Path]

    def get(self, script: str, weight: str) -> Path | None:
        return self.paths.get((script, weight)) or self.paths.get((script, "regular"))


def default_font_cache_dir() -> Path:
    """The user cache (`$XDG_CACHE_HOME/concierge/fonts`): the faces are derived data, large,
    and identical for every kiosk data directory on the machine."""
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base).expanduser() if base else Path.home() / ".cache"
    return root / "concierge" / "fonts"


def find_collection(filename: str) -> Path | None:
    for directory in COLLECTION_DIRS:
        candidate = directory / filename
        if candidate.is_file():
            return candidate
    return None


def _face_index(collection_path: Path, family: str) -> int | None:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(collection_path), lazy=True)
    try:
        for index, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == family:
                return index
    finally:
        collection.close()
    return None


def _extract_face(collection_path: Path, family: str, target: Path) -> bool:
    """Copy one face out of a collection into `target` (atomically); False if it is absent."""
    from fontTools.ttLib import TTCollection

    index = _face_index(collection_path, family)
    if index is None:
        return False
    collection = TTCollection(str(collection_path), lazy=True)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(fd)
        try:
            collection.fonts[index].save(temporary)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    finally:
        collection.close()
    return True


def ensure_cjk_fonts(cache_dir: Path | None = None) -> ExtractedFonts:
    """Extract the SC and TC faces (regular and bold) unless already cached.

    Returns whatever could be found; an empty result means no CJK collection is installed
    (Debian package fonts-noto-cjk), and the kiosk will draw Chinese as boxes: logged loudly,
    but not fatal, so the English interface still works.
    """
    cache_dir = Path(cache_dir) if cache_dir else default_font_cache_dir()
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it traces every table it reads
    paths: dict[tuple[str, str], Path] = {}
    for weight, filename in COLLECTIONS.items():
        collection = find_collection(filename)
        for script, family in FAMILIES.items():
            target = cache_dir / f"NotoSansCJK-{script}-{weight}.otf"
            if target.is_file() and target.stat().st_size > 0:
                paths[(script, weight)] = target
                continue
            if collection is None:
                continue
            try:
                if _extract_face(collection, family, target):
                    paths[(script, weight)] = target
            except OSError:
                log.exception("cannot extract %s %s into %s", family, weight, cache_dir)
    if not paths:
        log.error(
            "no Noto Sans CJK collection found in %s: Chinese text will not display "
            "(install the Debian package fonts-noto-cjk)",
            ", ".join(str(d) for d in COLLECTION_DIRS),
        )
    return ExtractedFonts(paths)


def register_fonts(fonts: ExtractedFonts) -> None:
    """Register ConciergeSC / ConciergeTC (regular + bold) and make 'Roboto' the SC face."""
    from kivy.core.text import LabelBase

    for script, name in (("SC", SIMPLIFIED_FONT), ("TC", TRADITIONAL_FONT)):
        regular = fonts.get(script, "regular") or fonts.get("SC", "regular")
        bold = fonts.get(script, "bold") or regular
        if regular is None:
            # No CJK font at all: fall back to Kivy's bundled Roboto under our names.
            LabelBase.register(name, "data/fonts/Roboto-Regular.ttf", fn_bold="data/fonts/Roboto-Bold.ttf")
            continue
        LabelBase.register(name, str(regular), fn_bold=str(bold))
    simplified_regular = fonts.get("SC", "regular")
    if simplified_regular is not None:
        simplified_bold = fonts.get("SC", "bold") or simplified_regular
        LabelBase.register(
            "Roboto",
            str(simplified_regular),
            fn_italic=str(simplified_regular),
            fn_bold=str(simplified_bold),
            fn_bolditalic=str(simplified_bold),
        )


def font_for(language: str) -> str:
    return FONT_FOR_LANGUAGE.get(language, SIMPLIFIED_FONT)
