"""IMDF archives (.zip bytes) for the console's map upload: a one-level mall the importer reads
into publishable content, and the same mall with three of its shops gone."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from imdf_builder import mall_archive


def _zipped(builder, folder: Path) -> bytes:
    builder.write(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


def plaza_archives(folder: Path) -> tuple[bytes, bytes]:
    """(the whole mall: 6 shops on one level, the mall without its first 3 shops)."""
    builder = mall_archive(levels=1, stores_per_side=3, seed="plaza")
    builder.files["unit"] = [unit for unit in builder.files["unit"]
                             if unit["properties"].get("category") not in ("escalator", "elevator", "stairs")]
    builder.files.pop("amenity", None)
    builder.files.pop("relationship", None)
    whole = _zipped(builder, folder / "whole")
    builder.files["occupant"] = builder.files["occupant"][3:]
    return whole, _zipped(builder, folder / "fewer")


def tower_archives(folder: Path) -> tuple[bytes, bytes]:
    """(a three-level mall with its escalators, lift and staircase, the same mall without the
    first two shops of level 2)."""
    builder = mall_archive(levels=3, stores_per_side=3, seed="tower")
    whole = _zipped(builder, folder / "tower-whole")
    gone = {occupant["id"] for occupant in builder.files["occupant"]
            if (occupant["properties"]["name"] or {}).get("zh-Hans") in ("店2F1", "店2F2")}
    assert len(gone) == 2, "the builder names level 2F's shops 店2F1, 店2F2, …"
    builder.files["occupant"] = [o for o in builder.files["occupant"] if o["id"] not in gone]
    return whole, _zipped(builder, folder / "tower-fewer")
