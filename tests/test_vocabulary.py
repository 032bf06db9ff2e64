"""One vocabulary: a word (msgid, with its msgctxt) translates the same in every catalog whose
words are shown together, or it carries a msgctxt that tells the meanings apart.

Why it matters: Django merges the catalogs of all installed apps into one, and for a msgid in
two of them the app listed first in INSTALLED_APPS wins on every page (so the content app's
"Description" = 介绍 showed on the case page, and the admin's "Change" = 修改 in the report's
hot-spot column). The groups shown together:

- every server app's catalog, with the catalogs of Django's own apps (admin, auth, …) that are
  installed before them: one merged catalog serves every console and phone page;
- the venue catalogs (words the kiosk and the phone pages share) with the apps whose phone pages
  also use their own catalog (cases' tracking page, the directory's store page; wayfinding's
  route page speaks only venue's words);
- the kiosk's case words (kinds and complaint categories, kiosk/locale) with the cases app: the
  visitor files on the kiosk in the words the desk then reads in the console.
"""
from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import django
import pytest
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
#: The catalogs' folder names for each of the three languages (the kiosk writes zh_CN / zh_TW).
LANGUAGES = {"zh_Hans": ("zh_Hans", "zh_CN"), "zh_Hant": ("zh_Hant", "zh_TW"), "en": ("en",)}
PHONE_PAGE_APPS = ("server.cases", "server.directory", "server.core")
Key = tuple[str | None, str]


def read_catalog(path: Path) -> dict[Key, str]:
    """(msgctxt, msgid) → msgstr of the entries gettext will use (translated, not fuzzy)."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    words = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else (message.string or ("",))[0]
        if msgstr:
            words[(message.context, msgid)] = msgstr
    return words


def _first(folder: Path, names: tuple[str, ...], domain: str = "*") -> list[Path]:
    for name in names:
        found = sorted((folder / name / "LC_MESSAGES").glob(f"{domain}.po"))
        if found:
            return found
    return []


def server_catalogs(language: str) -> dict[str, dict[Key, str]]:
    """Our server apps' catalogs, by app name."""
    catalogs = {}
    for app in settings.INSTALLED_APPS:
        if app.startswith("server."):
            for path in _first(ROOT / app.replace(".", "/") / "locale", LANGUAGES[language], "django"):
                catalogs[app] = read_catalog(path)
    return catalogs


def django_catalogs(language: str) -> dict[str, dict[Key, str]]:
    """Django's own installed apps listed before ours: their words win over ours in the merge."""
    ours = next(i for i, app in enumerate(settings.INSTALLED_APPS) if app.startswith("server."))
    catalogs = {}
    for app in settings.INSTALLED_APPS[:ours]:
        if app.startswith("django.contrib."):
            folder = Path(django.__file__).parent / "contrib" / app.rsplit(".", 1)[1] / "locale"
            for path in _first(folder, LANGUAGES[language], "django"):
                catalogs[app] = read_catalog(path)
    return catalogs


def package_catalogs(package: str, language: str, domain: str = "*") -> dict[str, dict[Key, str]]:
    return {f"{package}/{path.name}": read_catalog(path)
            for path in _first(ROOT / package / "locale", LANGUAGES[language], domain)}


def disagreements(ours: dict[str, dict[Key, str]], others: dict[str, dict[Key, str]]) -> list[str]:
    """Every word of `ours` that some other catalog (of ours or of `others`) translates differently."""
    everyone = {**others, **ours}
    where: dict[Key, dict[str, str]] = defaultdict(dict)
    for name, words in everyone.items():
        for key, msgstr in words.items():
            where[key][name] = msgstr
    problems = []
    for key, by_catalog in sorted(where.items(), key=lambda item: (item[0][1], item[0][0] or "")):
        if len(set(by_catalog.values())) > 1 and any(name in ours for name in by_catalog):
            context, msgid = key
            shown = ", ".join(f"{name}: {msgstr!r}" for name, msgstr in sorted(by_catalog.items()))
            problems.append(f"{msgid!r}" + (f" (msgctxt {context!r})" if context else "") + f" → {shown}")
    return problems


def test_the_checker_finds_a_word_two_catalogs_translate_differently():
    apart = disagreements({"server.cases": {(None, "Description"): "描述"}},
                          {"server.content": {(None, "Description"): "介绍"}})
    assert apart == ["'Description' → server.cases: '描述', server.content: '介绍'"]
    assert disagreements({"server.cases": {(None, "Description"): "描述"}},
                         {"server.content": {("store", "Description"): "介绍"}}) == []
    # Two of Django's own catalogs disagreeing is not ours to settle.
    assert disagreements({}, {"a": {(None, "x"): "1"}, "b": {(None, "x"): "2"}}) == []


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_one_word_one_translation_across_the_server(language):
    problems = disagreements(server_catalogs(language), django_catalogs(language))
    assert not problems, "Give these words one translation, or a msgctxt (pgettext):\n" + "\n".join(problems)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_phone_pages_and_the_venue_words_agree(language):
    phone_apps = {app: words for app, words in server_catalogs(language).items() if app in PHONE_PAGE_APPS}
    problems = disagreements(package_catalogs("venue", language), phone_apps)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_kiosk_files_cases_in_the_desk_s_words(language):
    cases = {"server.cases": server_catalogs(language).get("server.cases", {})}
    problems = disagreements(package_catalogs("kiosk", language, "kiosk"), cases)
    assert not problems, "\n".join(problems)


def test_the_catalogs_are_found():
    """The checks above mean something only if they read the catalogs."""
    assert {"server.cases", "server.content", "server.reports"} <= set(server_catalogs("zh_Hans"))
    assert "django.contrib.admin" in django_catalogs("zh_Hans")
    assert package_catalogs("venue", "zh_Hant") and package_catalogs("kiosk", "zh_Hans", "kiosk")
    assert os.path.basename(next(iter(package_catalogs("kiosk", "zh_Hans", "kiosk")))) == "kiosk.po"
