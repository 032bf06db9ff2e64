"""Every message a screen can show is translated in zh_CN and zh_TW: no English leaks onto a
Chinese screen. Messages are found the way a translator's tools find them: `tr(...)`, `_()`,
`N_()` and `gettext()` calls in `screens/**/*.py`, and `tr('...')` in the `.kv` files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "screens"
CATALOG_FOLDERS = (ROOT / "screens" / "locale", ROOT / "kiosk" / "locale")
KV_MESSAGE = re.compile(r"""\btr\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")""")


def marked_messages() -> dict[str, str]:
    """Message id -> where it was found."""
    found: dict[str, str] = {}
    keywords = {"N_": None, "_": None, "tr": None, "gettext": None}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        SCREENS, method_map=[("**.py", "python")], keywords=keywords
    ):
        if isinstance(message, str) and message:
            found.setdefault(message, f"screens/{filename}:{lineno}")
    for kv_file in sorted(SCREENS.glob("**/*.kv")):
        for lineno, line in enumerate(kv_file.read_text(encoding="utf-8").splitlines(), 1):
            for single, double in KV_MESSAGE.findall(line):
                message = (single or double).encode().decode("unicode_escape").encode("latin-1").decode()
                found.setdefault(message, f"{kv_file.relative_to(ROOT)}:{lineno}")
    return found


def translated_ids(language: str) -> set[str]:
    ids: set[str] = set()
    for folder in CATALOG_FOLDERS:
        for po_file in sorted((folder / language / "LC_MESSAGES").glob("*.po")):
            with po_file.open("rb") as handle:
                catalog = read_po(handle, locale=language)
            ids |= {m.id for m in catalog if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}
    return ids


def test_screens_mark_their_text_for_translation():
    assert len(marked_messages()) >= 50


@pytest.mark.parametrize("language", ["zh_CN", "zh_TW"])
def test_every_screen_message_is_translated(language):
    translated = translated_ids(language)
    missing = {m: where for m, where in marked_messages().items() if m not in translated}
    assert not missing, f"{len(missing)} untranslated in {language}: " + "; ".join(
        f"{where}: {m!r}" for m, where in sorted(missing.items(), key=lambda kv: kv[1])[:30]
    )
