"""One word for each thing, as the manuals say it: a visitor's lost report is 报失 (報失), found
items are 失物招领; the match badge is not the Suggestion case kind's 建议; the kiosk says the same
thing on its home screen and on its lost-property form."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation

from server.lostfound.models import SuggestionStatus

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = {"zh_CN": ("zh_Hans", "报失", "建议"), "zh_TW": ("zh_Hant", "報失", "建議")}


def catalog(path: Path) -> dict[str, str]:
    with path.open("rb") as source:
        return {message.id: message.string for message in read_po(source) if isinstance(message.id, str)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_office_calls_a_lost_report_baoshi(language):
    folder, lost_report, _ = LANGUAGES[language]
    words = catalog(ROOT / f"server/lostfound/locale/{folder}/LC_MESSAGES/django.po")
    assert words["Lost reports"].startswith(lost_report)
    assert not [msgid for msgid, text in words.items() if "失物登记" in text or "失物登記" in text]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_match_badge_is_not_the_suggestion_case_kind(language):
    folder, _, suggestion = LANGUAGES[language]
    with translation.override(folder.replace("_", "-").lower()):
        badge = str(SuggestionStatus.SUGGESTED.label)
    assert suggestion not in badge and badge in ("可能匹配", "可能相符")
    words = catalog(ROOT / f"server/lostfound/locale/{folder}/LC_MESSAGES/django.po")
    assert not [msgid for msgid, text in words.items() if suggestion in text], "建议 is the Suggestion case kind"
    assert badge in words["Suggestions"] and badge in words["Add to the suggestions"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_kiosk_names_lost_and_found_the_same_everywhere(language):
    home = catalog(ROOT / f"kiosk/locale/{language}/LC_MESSAGES/kiosk.po")
    form = catalog(ROOT / f"screens/locale/{language}/LC_MESSAGES/lostfound.po")
    for msgid in ("I lost something", "I found something"):
        assert home[msgid] == form[msgid]
    assert LANGUAGES[language][1] in form["Your lost item report has been registered. We will look for it."]
