"""Translations: every visitor-facing string exists in all three languages, really translated."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kiosk.cases import ALL_DRAFT_ERROR_CODES, MAX_DESCRIPTION_CHARS, DraftError
from kiosk.i18n import (
    CATALOG_DOMAINS,
    DRAFT_ERROR_MESSAGES,
    Translator,
    category_label,
    kind_label,
    message_for,
)
from sync.protocol import LANGUAGES, CaseKind, ComplaintCategory
from venue.languages import LANGUAGE_NAMES

KIOSK_DIR = Path(__file__).resolve().parents[2] / "kiosk"
# Characters whose Simplified and Traditional forms differ, common in our messages.
SIMPLIFIED_ONLY = set("请说话电号码这么选择发输为时间处联络铺与设价纠纷质务态类扬议丢捡东还给内显删后条双剩")
TRADITIONAL_ONLY = set("請說話電號碼這麼選擇發輸為時間處聯絡鋪與設價糾紛質務態類揚議遺獲東還給內顯刪後條雙剩")


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def sample_error(code: str) -> DraftError:
    params = {"length": 10_000, "limit": MAX_DESCRIPTION_CHARS} if code == "description_too_long" else {}
    return DraftError("description", code, params)


@pytest.mark.parametrize("code", ALL_DRAFT_ERROR_CODES)
def test_every_error_code_has_a_message_in_every_language(code):
    translator = Translator("en")
    texts = {}
    for language in LANGUAGES:
        translator.set_language(language)
        texts[language] = message_for(sample_error(code), translator)
    assert code in DRAFT_ERROR_MESSAGES
    assert not has_cjk(texts["en"]) and texts["en"].endswith(".")
    assert has_cjk(texts["zh_CN"]) and has_cjk(texts["zh_TW"])
    assert len(set(texts.values())) == 3, texts
    assert not set(texts["zh_TW"]) & SIMPLIFIED_ONLY, texts["zh_TW"]
    assert not set(texts["zh_CN"]) & TRADITIONAL_ONLY, texts["zh_CN"]


def test_too_long_message_gives_the_numbers():
    translator = Translator("en")
    error = sample_error("description_too_long")
    assert message_for(error, translator) == "Please keep it under 2,000 characters (you typed 10,000)."
    translator.set_language("zh_CN")
    assert "2,000" in message_for(error, translator) and "10,000" in message_for(error, translator)


def test_category_and_kind_labels_in_every_language():
    translator = Translator("zh_CN")
    for language in LANGUAGES:
        translator.set_language(language)
        labels = [category_label(c, translator) for c in ComplaintCategory]
        labels += [kind_label(k, translator) for k in CaseKind]
        assert len(set(labels)) == len(labels)
        assert all(has_cjk(label) == (language != "en") for label in labels), labels
    translator.set_language("zh_CN")
    assert kind_label("complaint", translator) == "投诉"
    translator.set_language("zh_TW")
    assert kind_label(CaseKind.COMPLAINT, translator) == "投訴"


def test_every_marked_string_in_kiosk_is_translated_in_the_catalogs():
    marked = {message for _file, _line, message, _comments, _context in
              (entry for entry in extract_from_dir(KIOSK_DIR, keywords={"N_": None, "_": None, "gettext": None}))
              if isinstance(message, str)}
    assert len(marked) >= 20
    for language in ("zh_CN", "zh_TW"):
        catalogs = []
        for _domain, folder in CATALOG_DOMAINS:  # kiosk.po, screens.po and the feature catalogs
            for po_file in sorted((folder / language / "LC_MESSAGES").glob("*.po")):
                with po_file.open("rb") as handle:
                    catalogs.append(read_po(handle, locale=language))
        for message in marked:
            entries = [entry for catalog in catalogs if (entry := catalog.get(message)) is not None]
            assert any(e.string and not e.fuzzy for e in entries), f"{language}: {message!r}"


def test_default_language_is_simplified_chinese():
    assert Translator().language == "zh_CN"
    assert set(LANGUAGE_NAMES) == set(LANGUAGES)


def test_listeners_hear_each_real_change_even_if_one_fails():
    translator = Translator()
    heard: list[str] = []

    def broken(_language: str) -> None:
        raise RuntimeError("a screen that cannot relabel itself")

    translator.add_listener(broken)
    translator.add_listener(heard.append)
    translator.set_language("en")
    translator.set_language("en")
    translator.set_language("zh_TW")
    assert heard == ["en", "zh_TW"]
    translator.remove_listener(heard.append)
    translator.set_language("zh_CN")
    assert heard == ["en", "zh_TW"]


def test_unsupported_language_is_refused():
    with pytest.raises(ValueError):
        Translator("fr")
    with pytest.raises(ValueError):
        Translator().set_language("ja")


def test_untranslated_ids_fall_back_to_english():
    translator = Translator("zh_TW")
    assert translator.gettext("A sentence nobody translated.") == "A sentence nobody translated."
    assert translator.ngettext("{n} case", "{n} cases", 2) == "{n} cases"
