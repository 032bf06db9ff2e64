"""The pinyin input method on its own: syllables, ranked candidates from the shipped dictionary,
the mall's own words first, partial commits, Traditional output, and keys that are not pinyin."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.ime import MAX_COMPOSITION, DirectInput, PinyinInput, PinyinLexicon, segment


@pytest.fixture(scope="module")
def lexicon() -> PinyinLexicon:
    return PinyinLexicon.shared()


def typed(method: PinyinInput, keys: str) -> str:
    """Press each key; return everything committed."""
    return "".join(method.press(key) for key in keys)


@pytest.mark.parametrize("letters, syllables", [
    ("xingbake", ["xing", "ba", "ke"]),
    ("xbk", ["x", "b", "k"]),
    ("xingb", ["xing", "b"]),
    ("xian", ["xian"]),
    ("yunduokafei", ["yun", "duo", "ka", "fei"]),
    ("lvse", ["lv", "se"]),
])
def test_letters_split_into_full_syllables_or_initials(letters, syllables):
    assert segment(letters) == syllables


def test_xingbake_offers_xingbake_first_and_a_tap_commits_it(lexicon):
    method = PinyinInput(lexicon)
    assert typed(method, "xingbake") == ""
    assert method.composition == "xingbake"
    assert method.syllables_shown() == "xing'ba'ke"
    assert method.candidates[0] == "星巴克"
    assert method.choose(0) == "星巴克"
    assert method.composition == "" and method.candidates == []


def test_common_words_rank_first(lexicon):
    for letters, word in [("fuwutai", "服务台"), ("xishoujian", "洗手间"), ("kafei", "咖啡"), ("bumanyi", "不满意")]:
        method = PinyinInput(lexicon)
        typed(method, letters)
        assert method.candidates[0] == word, letters


def test_a_character_for_the_first_syllable_commits_it_and_the_rest_stays(lexicon):
    method = PinyinInput(lexicon)
    typed(method, "xingbake")
    index = method.candidates.index("星")
    assert method.choose(index) == "星"
    assert method.composition == "bake"
    assert method.candidates, "the rest is still offered"


def test_the_malls_own_names_come_first_even_from_initials(lexicon):
    method = PinyinInput(lexicon, context_words=["云朵咖啡", "星河国际影城", "Cloud Coffee"])
    typed(method, "ydkf")
    assert method.candidates[0] == "云朵咖啡"
    method.reset()
    typed(method, "xinghe")
    assert method.candidates[0] == "星河国际影城"


def test_traditional_candidates_for_zh_tw(lexicon):
    method = PinyinInput(lexicon, traditional=True)
    typed(method, "mianbao")
    assert method.candidates[0] == "麵包"
    method.reset()
    typed(method, "xishoujian")
    assert method.candidates[0] == "洗手間"


def test_space_commits_the_best_candidate_and_enter_the_letters(lexicon):
    method = PinyinInput(lexicon)
    typed(method, "kafei")
    assert method.press(" ") == "咖啡"
    typed(method, "kafei")
    assert method.press("\n") == "kafei"
    assert method.composition == ""


def test_digits_and_ascii_signs_keep_letters_as_typed_so_units_can_be_typed(lexicon):
    method = PinyinInput(lexicon)
    assert typed(method, "3f-12") == "3f-12"
    assert typed(method, "t2") == "t2"


def test_chinese_punctuation_commits_the_best_candidate_first(lexicon):
    method = PinyinInput(lexicon)
    assert typed(method, "woyaotousu，") == "我要投诉，"


def test_backspace_shortens_the_composition_then_passes_through(lexicon):
    method = PinyinInput(lexicon)
    typed(method, "ka")
    assert method.backspace() and method.composition == "k"
    assert method.backspace() and method.composition == ""
    assert method.backspace() is False, "nothing composing: the field deletes"


def test_capitals_are_typed_as_they_are(lexicon):
    method = PinyinInput(lexicon)
    assert typed(method, "KTV") == "KTV"


def test_the_composition_is_capped(lexicon):
    method = PinyinInput(lexicon)
    typed(method, "a" * (MAX_COMPOSITION + 30))
    assert len(method.composition) == MAX_COMPOSITION


def test_choosing_outside_the_candidates_commits_nothing(lexicon):
    method = PinyinInput(lexicon)
    assert method.choose(0) == ""
    typed(method, "ka")
    assert method.choose(999) == "" and method.composition == "ka"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789 -,.，。\n"), max_size=60))
def test_any_key_sequence_is_handled_and_letters_are_never_lost(keys):
    method = PinyinInput(PinyinLexicon.shared())
    committed = typed(method, keys)
    assert isinstance(committed, str)
    digits_in = [ch for ch in keys if ch.isdigit()]
    assert [ch for ch in committed + method.composition if ch.isdigit()] == digits_in


def test_direct_input_commits_every_key():
    method = DirectInput()
    assert "".join(method.press(key) for key in "Ab 3F-12") == "Ab 3F-12"
    assert method.backspace() is False


# ---------------------------------------------------------------- Zhuyin (注音)
def test_every_dictionary_syllable_has_one_zhuyin_spelling_of_the_37_symbols():
    from kiosk.ime import ZHUYIN_SYMBOLS, zhuyin_table

    table = zhuyin_table()
    assert len(set(ZHUYIN_SYMBOLS)) == 37
    assert len(table) >= 400 and len(set(table.values())) == len(table), "one spelling per syllable"
    assert table["ㄒㄧ"] == "xi" and table["ㄕㄡ"] == "shou" and table["ㄐㄧㄢ"] == "jian"
    assert table["ㄓ"] == "zhi" and table["ㄩㄥ"] == "yong" and table["ㄌㄩㄝ"] == "lve"


@pytest.mark.parametrize("typed, shown, pinyin", [
    ("ㄒㄧˇㄕㄡˇㄐㄧㄢ", "ㄒㄧˇ ㄕㄡˇ ㄐㄧㄢ", "xishoujian"),
    ("ㄒㄧㄢ", "ㄒㄧㄢ", "xian"),
    ("ㄇㄨˇㄧㄥ", "ㄇㄨˇ ㄧㄥ", "muying"),
    ("ㄒㄕ", "ㄒ ㄕ", "xshi"),
])
def test_zhuyin_splits_into_syllables_with_their_tones(typed, shown, pinyin):
    from kiosk.ime import ZhuyinInput

    method = ZhuyinInput(PinyinLexicon.shared())
    assert typed_zhuyin(method, typed) == ""
    assert method.syllables_shown() == shown
    assert method.search_text() == pinyin, "a search field reads the pinyin"


def typed_zhuyin(method, keys: str) -> str:
    return "".join(method.press(key) for key in keys)


def test_zhuyin_with_tones_offers_traditional_words_and_a_tap_commits_them(lexicon):
    from kiosk.ime import ZhuyinInput

    method = ZhuyinInput(lexicon)
    typed_zhuyin(method, "ㄒㄧˇㄕㄡˇㄐㄧㄢ")
    assert method.candidates[0] == "洗手間"
    assert method.choose(0) == "洗手間" and method.composition == ""

    typed_zhuyin(method, "ㄉㄧㄢˋㄊㄧ")
    assert "電梯" in method.candidates[:3]
    assert method.choose(method.candidates.index("電梯")) == "電梯"


def test_a_typed_tone_puts_the_characters_of_that_tone_first(lexicon):
    from pypinyin import Style, pinyin

    from kiosk.ime import ZhuyinInput

    method = ZhuyinInput(lexicon)
    typed_zhuyin(method, "ㄒㄧˇ")
    first = method.candidates[0]
    readings = pinyin(first, style=Style.TONE3, heteronym=True)[0]
    assert any(reading.endswith("3") for reading in readings), f"{first} {readings}"


def test_zhuyin_offers_the_malls_own_names_first_and_a_character_commits_part(lexicon):
    from kiosk.ime import ZhuyinInput

    method = ZhuyinInput(lexicon, context_words=["雲朵咖啡", "母嬰室"])
    typed_zhuyin(method, "ㄩㄣˊㄉㄨㄛˇ")
    assert method.candidates[0] == "雲朵咖啡"
    method.reset()
    typed_zhuyin(method, "ㄇㄨˇㄧㄥㄕ")
    assert method.candidates[0] == "母嬰室"
    method.reset()
    typed_zhuyin(method, "ㄒㄧˇㄕㄡˇ")
    character = method.candidates.index("洗")
    assert method.choose(character) == "洗" and method.composition == "ㄕㄡˇ"


def test_zhuyin_keys_that_are_not_symbols(lexicon):
    from kiosk.ime import ZhuyinInput

    method = ZhuyinInput(lexicon)
    assert method.press("ˇ") == "ˇ", "a tone mark on its own is typed as it is"
    assert method.press("a") == "a" and method.press("3") == "3"
    typed_zhuyin(method, "ㄒㄧ")
    assert method.press("\n") == "ㄒㄧ", "Enter keeps the symbols as typed"
    typed_zhuyin(method, "ㄒㄧˇ")
    committed = method.press("，")
    assert committed.endswith("，") and len(committed) == 2, "punctuation takes the best candidate"
    typed_zhuyin(method, "ㄒㄧ")
    assert method.backspace() and method.composition == "ㄒ"


@given(st.lists(st.sampled_from(list("ㄅㄒㄧㄕㄡㄐㄢㄓㄨㄤˇˊˋ˙ a3，\n")), max_size=30))
@settings(max_examples=60, deadline=None)
def test_any_zhuyin_key_sequence_is_handled(keys):
    from kiosk.ime import ZhuyinInput

    method = ZhuyinInput(PinyinLexicon.shared())
    committed = "".join(method.press(key) for key in keys)
    assert isinstance(committed, str)
    assert len(method.composition) <= MAX_COMPOSITION
    assert all(candidate for candidate in method.candidates), "no empty candidate"


# ---------------------------------------------------------------- one segmenter for both
def test_the_cheapest_split_prefers_whole_pieces_keeps_trailing_marks_and_loses_nothing():
    from kiosk.ime import cheapest_split

    def cost(piece: str) -> int | None:
        return {"ab": 2, "a": 3, "b": 3}.get(piece)

    def mark_after(typed: str, end: int) -> int:
        return 1 if typed[end:end + 1] == "!" else 0

    assert cheapest_split("abab", 2, cost) == [(0, 2, 2), (2, 4, 4)], "whole pieces before parts"
    assert cheapest_split("axb", 2, cost) == [(0, 1, 1), (1, 2, 2), (2, 3, 3)], "x is no piece: alone"
    assert cheapest_split("ab!a", 2, cost, mark_after) == [(0, 2, 3), (3, 4, 4)], "the mark trails ab"
    assert cheapest_split("", 2, cost) == []


@pytest.mark.parametrize("zhuyin, letters", [
    ("ㄒㄧㄥㄅㄚㄎㄜ", "xingbake"), ("ㄒㄅㄎ", "xbk"), ("ㄒㄧㄢ", "xian"), ("ㄩㄣㄉㄨㄛㄎㄚㄈㄟ", "yunduokafei"),
])
def test_zhuyin_and_pinyin_split_the_same_word_into_the_same_syllables(zhuyin, letters):
    from kiosk.ime import zhuyin_syllables

    assert [syllable.pinyin for syllable in zhuyin_syllables(zhuyin)] == segment(letters)
