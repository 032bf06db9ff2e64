"""Every string translated: each gettext catalog of the kiosk, its screens and the venue words
has the same messages in zh_CN, en and zh_TW, each translated (English may keep the message id
as its text, since the ids are English, except in catalogs keyed by identifiers); each server
app's zh_Hans and zh_Hant catalogs translate every message (English is the source language
there), and every message the server's templates and code mark for translation is in them,
so no English shows on a Chinese page. A fuzzy entry counts as untranslated: the build compiles without fuzzy entries. A
translation keeps the message's placeholders, or formatting it fails or loses a value."""
from __future__ import annotations

import io
import re
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
KIOSK_LANGUAGES = ("zh_CN", "en", "zh_TW")
SERVER_LANGUAGES = ("zh_Hans", "zh_Hant")
KEYED_DOMAINS = {"search_words"}
"""Catalogs whose message ids are identifiers (facility kinds), so English translates them too."""
DJANGO_KEYWORDS = {
    **DEFAULT_KEYWORDS, "gettext_lazy": None, "gettext_noop": None, "pgettext_lazy": ((1, "c"), 2),
    "ngettext_lazy": (1, 2), "npgettext_lazy": ((1, "c"), 2, 3),
}
"""Babel's gettext keywords and Django's lazy and no-op ones."""
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def kiosk_domains() -> dict[str, dict[str, Path]]:
    """{domain: {language: .po}} of the kiosk, its screens and the venue words."""
    domains: dict[str, dict[str, Path]] = defaultdict(dict)
    for package in ("kiosk", "screens", "venue"):
        for path in sorted((ROOT / package / "locale").glob("*/LC_MESSAGES/*.po")):
            domains[f"{package}/{path.stem}"][path.parent.parent.name] = path
    return dict(domains)


def server_apps() -> dict[str, dict[str, Path]]:
    """{app: {language: django.po}} of the server apps' Chinese catalogs."""
    apps: dict[str, dict[str, Path]] = defaultdict(dict)
    for path in sorted((ROOT / "server").glob("*/locale/*/LC_MESSAGES/django.po")):
        app, language = path.parts[-5], path.parts[-3]
        if language in SERVER_LANGUAGES:
            apps[app][language] = path
    return dict(apps)


def read(path: Path) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, abort_invalid=True)


def messages(catalog: Catalog) -> dict[str, object]:
    """{msgid (with context): translation} of the catalog's live (not obsolete) entries."""
    return {
        (f"{message.context}\x04" if message.context else "") + _singular(message.id): message
        for message in catalog if message.id
    }


def _singular(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def problems_of(message, *, may_keep_the_id: bool) -> list[str]:
    """What is wrong with one catalog entry: fuzzy, untranslated, or placeholders changed."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    if message.fuzzy:
        return ["fuzzy"]
    if not all(strings):
        return [] if may_keep_the_id else ["untranslated"]
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    wanted = {name for match in PLACEHOLDER.finditer(ids[-1]) for name in match.groups() if name is not None}
    found_problems = []
    for text in strings:
        found = {name for match in PLACEHOLDER.finditer(text) for name in match.groups() if name is not None}
        if found - wanted:
            found_problems.append(f"unknown placeholder {sorted(found - wanted)}")
        elif wanted - found and not isinstance(message.id, tuple):
            found_problems.append(f"drops placeholder {sorted(wanted - found)}")
    return found_problems


def catalog_problems(paths: dict[str, Path], languages: tuple[str, ...], keyed: bool) -> list[str]:
    found = []
    missing_languages = [language for language in languages if language not in paths]
    found += [f"no {language} catalog" for language in missing_languages]
    catalogs = {language: messages(read(path)) for language, path in paths.items() if language in languages}
    every_id = set().union(*(entries.keys() for entries in catalogs.values()))
    for language, entries in catalogs.items():
        for message_id in sorted(every_id - entries.keys()):
            found.append(f"{language}: missing {message_id!r}")
        for message_id, message in sorted(entries.items()):
            for problem in problems_of(message, may_keep_the_id=language == "en" and not keyed):
                found.append(f"{language}: {problem} {message_id!r}")
    return found


def test_the_catalogs_are_found():
    assert {"kiosk/kiosk", "screens/screens", "venue/venue", "venue/search_words"} <= kiosk_domains().keys()
    assert {"cases", "core", "wayfinding", "desk"} <= server_apps().keys()


@pytest.mark.parametrize("language", KIOSK_LANGUAGES)
def test_every_catalog_the_kiosk_loads_is_checked(language):
    """The kiosk, its screens and the venue words: each domain the kiosk chains for a language
    (a feature's own catalog included) is one this file checks."""
    from kiosk.i18n import _domains_for

    loaded = {f"{directory.parent.name}/{domain}" for domain, directory in _domains_for(language)}
    assert loaded <= kiosk_domains().keys()
    assert {"screens/screens", "screens/wayfinding", "screens/lostfound", "kiosk/kiosk", "venue/venue"} <= loaded


def test_every_server_app_with_a_catalog_is_checked():
    """A server app's catalog in any language (English ones included) has its Chinese pair checked."""
    with_catalogs = {path.parts[-5] for path in (ROOT / "server").glob("*/locale/*/LC_MESSAGES/django.po")}
    assert with_catalogs == server_apps().keys()


@pytest.mark.parametrize("domain", sorted(kiosk_domains()))
def test_every_kiosk_and_venue_message_is_translated(domain):
    keyed = domain.split("/")[1] in KEYED_DOMAINS
    assert catalog_problems(kiosk_domains()[domain], KIOSK_LANGUAGES, keyed) == []


@pytest.mark.parametrize("app", sorted(server_apps()))
def test_every_server_message_is_translated_into_both_chinese(app):
    assert catalog_problems(server_apps()[app], SERVER_LANGUAGES, keyed=True) == []


def marked_server_messages() -> dict[tuple[str | None, str, str | None], list[str]]:
    """{(context, msgid, plural): [where]} of every message the server's templates and Python
    code mark for translation, read the way Django's makemessages reads them."""
    found: dict[tuple[str | None, str, str | None], list[str]] = defaultdict(list)
    sources = [(path, "python") for path in (ROOT / "server").glob("**/*.py") if "migrations" not in path.parts]
    sources += [(path, "template") for path in (ROOT / "server").glob("**/templates/**/*.html")]
    sources += [(path, "template") for path in (ROOT / "server").glob("**/templates/**/*.txt")]
    for path, kind in sorted(sources):
        text = path.read_text(encoding="utf-8")
        code = templatize(text) if kind == "template" else text
        for line, message, _comments, context in extract("python", io.BytesIO(code.encode("utf-8")), DJANGO_KEYWORDS):
            singular, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
            if singular:
                found[(context, singular, plural)].append(f"{path.relative_to(ROOT)}:{line}")
    return dict(found)


def shown_in(language: str, context: str | None, singular: str, plural: str | None) -> str:
    with translation.override(language):
        if plural is not None:
            return translation.npgettext(context, singular, plural, 1) if context else translation.ngettext(
                singular, plural, 1)
        return translation.pgettext(context, singular) if context else translation.gettext(singular)


def translated_in_server_catalogs(language: str) -> set[str]:
    """The msgids (with context) some server app's catalog translates: Django merges them all,
    and a translation may rightly equal its id (SHA-256)."""
    return {
        message_id for app in server_apps().values() if language in app
        for message_id, message in messages(read(app[language])).items()
        if not message.fuzzy and all(message.string if isinstance(message.string, tuple) else (message.string,))
    }


@pytest.mark.parametrize("language", SERVER_LANGUAGES)
def test_every_message_the_server_marks_is_translated(language):
    marked = marked_server_messages()
    assert len(marked) > 300
    translated = translated_in_server_catalogs(language)
    page_language = {"zh_Hans": "zh-hans", "zh_Hant": "zh-hant"}[language]
    english = sorted(
        f"{singular!r} at {places[0]}" for (context, singular, plural), places in marked.items()
        if (f"{context}\x04" if context else "") + singular not in translated
        and shown_in(page_language, context, singular, plural) == singular
    )
    assert english == [], "\n".join(english)


def test_a_fuzzy_or_empty_entry_is_caught(tmp_path):
    """The check fails on what it is for, and on a translation that loses a placeholder."""
    sample = {}
    for language, body in (
        ("zh_CN", 'msgid "Walk {metres} m"\nmsgstr "步行{metres}米"\n\n#, fuzzy\nmsgid "Lift"\nmsgstr "电梯"\n'),
        ("en", 'msgid "Walk {metres} m"\nmsgstr ""\n\nmsgid "Lift"\nmsgstr ""\n'),
        ("zh_TW", 'msgid "Walk {metres} m"\nmsgstr "步行{meters}公尺"\n\nmsgid "Lift"\nmsgstr ""\n'),
    ):
        path = tmp_path / f"{language}.po"
        path.write_text(f'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n{body}', encoding="utf-8")
        sample[language] = path
    assert catalog_problems(sample, KIOSK_LANGUAGES, keyed=False) == [
        "zh_CN: fuzzy 'Lift'",
        "zh_TW: untranslated 'Lift'",
        "zh_TW: unknown placeholder ['meters'] 'Walk {metres} m'",
    ]
