"""The one language table: each visitor language under the names every part of the product uses.

The kiosk, the wire contract and content fields say `zh_CN` / `en` / `zh_TW`; Django's pages say
`zh-hans` / `en` / `zh-hant`; Babel formats with its own locale names; content models store one
column per language with a suffix. Every mapping between them is derived from this table.
"""
from __future__ import annotations

from typing import NamedTuple

from sync.protocol import DEFAULT_LANGUAGE, LANGUAGES


class Language(NamedTuple):
    code: str
    """The kiosk's and the wire contract's code (`zh_CN`)."""
    page: str
    """Django's language code for server-rendered pages (`zh-hans`)."""
    html: str
    """The BCP 47 tag for `<html lang>` and Content-Language (`zh-Hans`)."""
    babel: str
    """Babel's locale for dates and numbers (`zh_Hans_CN`)."""
    field_suffix: str
    """The suffix of a content model's per-language column (`name_zh_cn`)."""
    native_name: str
    """The language named in itself, for the language toggle (`简体中文`)."""
    toggle: str
    """The short label of the 简 / EN / 繁 toggle."""


TABLE: tuple[Language, ...] = (
    Language("zh_CN", "zh-hans", "zh-Hans", "zh_Hans_CN", "zh_cn", "简体中文", "简"),
    Language("en", "en", "en", "en", "en", "English", "EN"),
    Language("zh_TW", "zh-hant", "zh-Hant", "zh_Hant_TW", "zh_tw", "繁體中文", "繁"),
)
assert tuple(language.code for language in TABLE) == tuple(LANGUAGES)

BY_CODE = {language.code: language for language in TABLE}
BY_PAGE = {language.page: language for language in TABLE}
DEFAULT = BY_CODE[DEFAULT_LANGUAGE]

PAGE_LANGUAGES = tuple(language.page for language in TABLE)
"""Django's codes, in the toggle's order."""
KIOSK_LANGUAGE_OF_PAGE = {language.page: language.code for language in TABLE}
PAGE_LANGUAGE_OF_KIOSK = {language.code: language.page for language in TABLE}
BABEL_LOCALES = {language.code: language.babel for language in TABLE}
FIELD_SUFFIX_OF_PAGE = {language.page: language.field_suffix for language in TABLE}
LANGUAGE_NAMES = {language.code: language.native_name for language in TABLE}


def kiosk_code(page_language: str) -> str:
    """The kiosk code of a page language; the default language for one we do not show."""
    return KIOSK_LANGUAGE_OF_PAGE.get(page_language, DEFAULT.code)


def page_code(kiosk_language: str) -> str:
    """The page language of a kiosk code; the default language for one we do not show."""
    return PAGE_LANGUAGE_OF_KIOSK.get(kiosk_language, DEFAULT.page)
