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
