"""Runtime-switchable translations for the kiosk (gettext catalogs read through Babel).

Message ids are English. Catalogs live in `kiosk/locale/<lang>/LC_MESSAGES/kiosk.po` (this
package's messages) and `screens/locale/<lang>/LC_MESSAGES/*.po` (the screens': `screens.po` for
the shell, one more domain per feature, such as `wayfinding.po`, so features keep their own files),
then the words of places, hours and routes that the phone pages share (`venue.i18n`).
"""
from __future__ import annotations

import gettext
import logging
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal

from kiosk.cases import DraftError, DraftErrorCode
from sync.protocol import DEFAULT_LANGUAGE, LANGUAGES, CaseKind, ComplaintCategory
from venue import i18n as venue_i18n
from venue.i18n import DOMAIN as VENUE_DOMAIN
from venue.i18n import LOCALE_DIR as VENUE_LOCALE_DIR
from venue.i18n import N_, chain_catalogs

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DOMAINS: tuple[tuple[str, Path], ...] = (
    ("screens", ROOT / "screens" / "locale"),
    ("kiosk", ROOT / "kiosk" / "locale"),
    (VENUE_DOMAIN, VENUE_LOCALE_DIR),
)
"""The main domain of each catalog folder, searched in this order: a screens message shadows a
kiosk message with the same id. Further `.po` files in a folder are searched after its main one."""


def _domains_for(language: str) -> list[tuple[str, Path]]:
    domains: list[tuple[str, Path]] = []
    for main_domain, directory in CATALOG_DOMAINS:
        domains.append((main_domain, directory))
        others = sorted({path.stem for path in (directory / language / "LC_MESSAGES").glob("*.po")})
        domains.extend((domain, directory) for domain in others if domain != main_domain)
    return domains



@lru_cache(maxsize=None)
def load_translations(language: str) -> gettext.NullTranslations:
    """Every catalog for `language`, chained; untranslated ids fall through to English."""
    return chain_catalogs(language, _domains_for(language))


def reload_catalogs() -> None:
    """Forget compiled catalogs (after a .po changed on disk)."""
    load_translations.cache_clear()
    venue_i18n.load_translations.cache_clear()


class Translator:
    """The current language and its catalogs; tells listeners when the visitor switches."""

    def __init__(self, language: str = DEFAULT_LANGUAGE):
        self._check(language)
        self._language = language
        self._translations = load_translations(language)
        self._listeners: list[Callable[[str], None]] = []
        self._lock = threading.Lock()

    @staticmethod
    def _check(language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")

    @property
    def language(self) -> str:
        return self._language

    @property
    def locale(self) -> Locale:
        """The Babel locale, for formatting numbers and dates the way the visitor reads them."""
        return Locale.parse(self._language)

    def set_language(self, language: str) -> None:
        """Switch language and notify listeners (only when it actually changes)."""
        self._check(language)
        if language == self._language:
            return
        self._language = language
        self._translations = load_translations(language)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(language)
            except Exception:  # one broken screen must not stop the others from switching
                log.exception("language listener %r failed", listener)

    def add_listener(self, listener: Callable[[str], None]) -> None:
        with self._lock:
            if listener not in self._listeners:
                self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[str], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    _ = gettext

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._translations.ngettext(singular, plural, count)

    def format_number(self, number: int | float) -> str:
        return format_decimal(number, locale=self.locale)


_shared: Translator | None = None


def get_translator() -> Translator:
    """The process-wide translator that screens and messages share."""
    global _shared
    if _shared is None:
        _shared = Translator()
    return _shared


# ---------------------------------------------------------------- visitor-facing messages
DRAFT_ERROR_MESSAGES: dict[str, str] = {
    DraftErrorCode.CATEGORY_MISSING: N_("Please choose what your complaint is about."),
    DraftErrorCode.DESCRIPTION_EMPTY: N_("Please describe what happened."),
    DraftErrorCode.DESCRIPTION_TOO_LONG: N_(
        "Please keep it under {limit} characters (you typed {length})."
    ),
    DraftErrorCode.DESCRIPTION_CONTROL_CHARS: N_(
        "The text contains characters that cannot be shown. Please delete them and try again."
    ),
    DraftErrorCode.PHONE_INVALID: N_(
        "The phone number doesn't look right. Please check it, or leave it empty."
    ),
    DraftErrorCode.CONSENT_MISSING: N_(
        "Please tick the box to let us call you back on this number, or leave the number empty."
    ),
    DraftErrorCode.OCCURRED_IN_FUTURE: N_(
        "That time has not come yet. Please choose when it happened."
    ),
    DraftErrorCode.OCCURRED_OUT_OF_RANGE: N_("Please choose when it happened."),
    DraftErrorCode.STORE_INVALID: N_("Please choose the store again."),
    DraftErrorCode.DETAILS_INVALID: N_(
        "Some of the item details are too long or contain characters that cannot be shown."
    ),
}

CATEGORY_LABELS: dict[str, str] = {
    ComplaintCategory.PRODUCT_QUALITY: N_("Product quality"),
    ComplaintCategory.SERVICE_ATTITUDE: N_("Service attitude"),
    ComplaintCategory.ENVIRONMENT_FACILITIES: N_("Environment and facilities"),
    ComplaintCategory.SAFETY: N_("Safety"),
    ComplaintCategory.TENANT_DISPUTE: N_("Dispute with a store"),
    ComplaintCategory.PRICE_QUESTION: N_("Price question"),
    ComplaintCategory.OTHER: N_("Something else"),
}

KIND_LABELS: dict[str, str] = {
    CaseKind.ENQUIRY: N_("Enquiry"),
    CaseKind.COMPLAINT: N_("Complaint"),
    CaseKind.PRAISE: N_("Praise"),
    CaseKind.SUGGESTION: N_("Suggestion"),
    CaseKind.LOST_REPORT: N_("I lost something"),
    CaseKind.FOUND_ITEM: N_("I found something"),
}


def message_for(error: DraftError, translator: Translator) -> str:
    """The sentence a visitor sees for a draft error, in the translator's language."""
    template = DRAFT_ERROR_MESSAGES.get(error.code)
    if template is None:
        raise KeyError(f"no message for draft error code {error.code!r}")
    numbers = {
        name: translator.format_number(value) if isinstance(value, (int, float)) else str(value)
        for name, value in error.params.items()
    }
    text = translator.gettext(template)
    if "{" not in template:
        return text
    try:
        return text.format(**numbers)
    except (KeyError, IndexError, ValueError):  # a translation with a broken placeholder
        log.error("message %r cannot be formatted in %s", template, translator.language)
        return template.format_map(_Blank(numbers))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def category_label(category: ComplaintCategory | str, translator: Translator) -> str:
    return translator.gettext(CATEGORY_LABELS[ComplaintCategory(category)])


def kind_label(kind: CaseKind | str, translator: Translator) -> str:
    return translator.gettext(KIND_LABELS[CaseKind(kind)])
