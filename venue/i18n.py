"""Gettext catalogs read without a build step, and the catalog of the words both sides show.

Message ids are English. A `.po` is compiled in memory, so editing a translation needs no
build step; a `.mo` is used instead only when it is at least as new as its `.po`. The words
of places, hours and routes live in `venue/locale/<lang>/LC_MESSAGES/venue.po`: the kiosk's
screens and the server's phone pages (store page, route page) read the same catalog, so a
phone says what the kiosk said.
"""
from __future__ import annotations

import gettext
import io
import logging
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "venue"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translate when shown)."""
    return message


def catalog_file(directory: Path, language: str, domain: str) -> Path:
    return directory / language / "LC_MESSAGES" / f"{domain}.po"


def load_catalog(directory: Path, language: str, domain: str) -> gettext.GNUTranslations | None:
    """One catalog, from its `.mo` when that is current, else compiled from its `.po`."""
    po_path = catalog_file(directory, language, domain)
    mo_path = po_path.with_suffix(".mo")
    if mo_path.is_file() and (not po_path.is_file() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po_path.is_file():
        return None
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def chain_catalogs(language: str, domains: Iterable[tuple[str, Path]]) -> gettext.NullTranslations:
    """The catalogs of `domains` for `language`, searched in order; unknown ids stay English."""
    chain: gettext.NullTranslations | None = None
    for domain, directory in domains:
        try:
            translations = load_catalog(directory, language, domain)
        except Exception:  # a broken catalog must not take a screen or a page down: show English
            log.exception("cannot read the %s catalog for %s", domain, language)
            translations = None
        if translations is None:
            continue
        if chain is None:
            chain = translations
        else:
            chain.add_fallback(translations)
    return chain or gettext.NullTranslations()


@lru_cache(maxsize=None)
def load_translations(language: str) -> gettext.NullTranslations:
    """The words of places, hours and routes in `language`."""
    return chain_catalogs(language, [(DOMAIN, LOCALE_DIR)])
