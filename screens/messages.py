"""The screens' message catalog: find every message the screens show, keep the .po files in step.

Message ids are English, marked in Python as `tr("…")`, `trn("…", "…", n)` or `N_("…")`, and
in .kv files as `app.tr('…', app.language)`. A feature may keep its messages in a catalog of
its own beside `screens.po` (`wayfinding.po`, `lostfound.po`…); the kiosk core's `kiosk.po`
counts too, and so does the venue catalog of the words the phone pages share (`venue/locale`).
`python -m screens.messages` adds the ids that no catalog has yet to
`screens/locale/<lang>/LC_MESSAGES/screens.po` (keeping every translation already there), drops
ids no longer used, and lists what still needs translating. The UI tests fail while any
message lacks a translation, so an untranslated string never reaches a kiosk.
"""
from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

SCREENS_DIR = Path(__file__).resolve().parent
LOCALE_DIR = SCREENS_DIR / "locale"
KIOSK_LOCALE_DIR = SCREENS_DIR.parent / "kiosk" / "locale"
VENUE_LOCALE_DIR = SCREENS_DIR.parent / "venue" / "locale"
CATALOG_LANGUAGES = ("zh_CN", "en", "zh_TW")
TRANSLATED_LANGUAGES = ("zh_CN", "zh_TW")
"""Message ids are English, so an English entry may stay empty; the Chinese ones may not."""
PLURAL_FORMS = {"zh_CN": "nplurals=1; plural=0;", "zh_TW": "nplurals=1; plural=0;",
                "en": "nplurals=2; plural=(n != 1);"}

_ONE_LITERAL = r"""(?:'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")"""
_LITERAL = r"(?P<{name}>" + _ONE_LITERAL + r"(?:\s*" + _ONE_LITERAL + r")*)"
"""One string literal, or several adjacent ones (Python joins them into one message)."""
SINGULAR_RE = re.compile(r"(?<![\w.])(?:[\w.]*\.)?(?:_?tr|N_)\(\s*" + _LITERAL.format(name="msg"))
PLURAL_RE = re.compile(
    r"(?<![\w.])(?:[\w.]*\.)?trn\(\s*" + _LITERAL.format(name="msg") + r"\s*,\s*" + _LITERAL.format(name="plural")
)


@dataclass
class Message:
    msgid: str
    plural: str | None = None
    locations: list[tuple[str, int]] = field(default_factory=list)


def extract_messages(root: Path = SCREENS_DIR) -> dict[str, Message]:
    """Every message id used in the screens' .py and .kv files, with where it is used."""
    found: dict[str, Message] = {}
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.kv")]):
        if path.name == "messages.py":
            continue
        text = path.read_text(encoding="utf-8")
        relative = str(path.relative_to(root.parent))
        for pattern in (PLURAL_RE, SINGULAR_RE):
            for match in pattern.finditer(text):
                msgid = ast.literal_eval("(" + match.group("msg") + ")")
                plural = ast.literal_eval("(" + match.group("plural") + ")") if "plural" in pattern.groupindex else None
                if not msgid:
                    continue
                line = text.count("\n", 0, match.start()) + 1
                message = found.setdefault(msgid, Message(msgid))
                if plural:
                    message.plural = plural
                if (relative, line) not in message.locations:
                    message.locations.append((relative, line))
    return found


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "screens.po"


def read_catalog(language: str) -> Catalog:
    path = catalog_path(language)
    if not path.is_file():
        return Catalog(locale=language, domain="screens")
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain="screens")


def other_catalogs(language: str) -> list[Catalog]:
    """The language's feature catalogs beside screens.po, and the kiosk core's."""
    paths = [path for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"))
             if path != catalog_path(language)]
    paths += sorted((KIOSK_LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"))
    paths += sorted((VENUE_LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"))
    catalogs = []
    for path in paths:
        with path.open("rb") as handle:
            catalogs.append(read_po(handle, locale=language))
    return catalogs


def _owned_elsewhere(msgid: str, catalogs: list[Catalog]) -> bool:
    return any(catalog.get(msgid) is not None for catalog in catalogs)


def _translated(message) -> bool:
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


def missing_translations() -> dict[str, list[str]]:
    """Per language, the message ids that no catalog translates."""
    messages = extract_messages()
    missing: dict[str, list[str]] = {}
    for language in TRANSLATED_LANGUAGES:
        catalogs = [read_catalog(language), *other_catalogs(language)]
        absent = []
        for msgid in messages:
            entries = [entry for catalog in catalogs if (entry := catalog.get(msgid)) is not None]
            if not any(_translated(entry) and not entry.fuzzy for entry in entries):
                absent.append(msgid)
        if absent:
            missing[language] = absent
    return missing


def update_catalogs() -> dict[str, list[str]]:
    """Bring every screens.po in line with the code (ids another catalog owns are left to it);
    returns what is left to translate."""
    messages = extract_messages()
    for language in CATALOG_LANGUAGES:
        old = read_catalog(language)
        elsewhere = other_catalogs(language)
        catalog = Catalog(
            locale=language,
            domain="screens",
            project="Concierge kiosk screens",
            version="1",
            copyright_holder="Concierge",
            creation_date=old.creation_date if old.creation_date else datetime.now(UTC),
            revision_date=datetime.now(UTC),
            last_translator="The Concierge team",
            language_team=language,
            fuzzy=False,
            header_comment=(
                f"# {language} translations of the Concierge kiosk screens.\n"
                "# Kept in step with the code by `python -m screens.messages`."
            ),
            msgid_bugs_address="",
        )
        catalog._num_plurals, catalog._plural_expr = None, None
        for msgid, message in sorted(messages.items(), key=lambda item: item[1].locations[0]):
            if old.get(msgid) is None and _owned_elsewhere(msgid, elsewhere):
                continue
            key = (msgid, message.plural) if message.plural else msgid
            previous = old.get(msgid)
            string = previous.string if previous is not None else ("", "") if message.plural else ""
            if message.plural and not isinstance(string, (tuple, list)):
                string = (string,) * (1 if language != "en" else 2)
            flags = ["python-brace-format"] if "{" in msgid else []
            catalog.add(key, string, locations=message.locations, flags=flags)
        path = catalog_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=False, include_previous=False)
        _fix_plural_header(path, language)
    return missing_translations()


def _fix_plural_header(path: Path, language: str) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'"Plural-Forms: [^"]*\\n"', f'"Plural-Forms: {PLURAL_FORMS[language]}\\\\n"', text)
    path.write_text(text, encoding="utf-8")


def main() -> int:
    missing = update_catalogs()
    for language, msgids in missing.items():
        print(f"{language}: {len(msgids)} message(s) to translate")
        for msgid in msgids:
            print(f"    {msgid!r}")
    if not missing:
        print("every screens message is translated in " + ", ".join(TRANSLATED_LANGUAGES))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
