"""`python -m server.i18n_compile`: compile every gettext catalog of the project with Babel.

Compiles `server/**/locale/*/LC_MESSAGES/django.po`, `kiosk/locale/**/*.po`,
`venue/locale/**/*.po` and `screens/locale/**/*.po` to `.mo` files beside them (no GNU
gettext needed). Folders that don't exist yet are skipped; a catalog that fails to parse fails the run, naming the file.
A `.mo` whose bytes would not change is left alone, so `make` stays quiet.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

REPO_DIR = Path(__file__).resolve().parent.parent


def catalog_sources(repo_dir: Path = REPO_DIR) -> list[Path]:
    """Every .po file the build compiles, in a stable order."""
    found = set((repo_dir / "server").glob("**/locale/*/LC_MESSAGES/django.po"))
    for package in ("kiosk", "screens", "venue"):
        found |= set((repo_dir / package / "locale").glob("**/*.po"))
    return sorted(path for path in found if ".venv" not in path.parts)


def compile_catalog(po_path: Path) -> bool:
    """Write the .mo beside `po_path`; True when it was (re)written."""
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=_locale_of(po_path), abort_invalid=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.read_bytes() == buffer.getvalue():
        return False
    mo_path.write_bytes(buffer.getvalue())
    return True


def _locale_of(po_path: Path) -> str | None:
    """The locale folder name (zh_Hans, en, zh_CN...) when the path has the usual layout."""
    if po_path.parent.name != "LC_MESSAGES":
        return None
    name = po_path.parent.parent.name.replace("-", "_")
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return None  # the catalog's own header still gives its plural forms
    return name


def main() -> int:
    sources = catalog_sources()
    written = 0
    for po_path in sources:
        try:
            written += compile_catalog(po_path)
        except Exception as error:  # noqa: BLE001 - report which catalog is broken, then fail
            print(f"i18n: cannot compile {po_path.relative_to(REPO_DIR)}: {error}", file=sys.stderr)
            return 1
    print(f"i18n: {len(sources)} catalogs, {written} compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
