"""Directory search over the demo mall: every store is found by its name in each language, its
full pinyin, its pinyin initials and its unit number in the forms people type; one typo is
forgiven; ranking puts exact and prefix matches before fuzzy ones and open stores before closed
ones; bad input never raises."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.bundle import load_source_bundle
from sync.protocol import LANGUAGES, I18nText, TimeRange
from venue.index import ContentIndex
from venue.search import (
    MAX_PREFIX_FUZZY,
    StoreSearch,
    Tier,
    browse_letter,
    fold,
    pinyin_initials,
    pinyin_syllables,
    unit_aliases,
)

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"
SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTERNOON = datetime(2026, 11, 23, 15, 20, tzinfo=SHANGHAI)
CONTENT = load_source_bundle(DEMO).content
INDEX = ContentIndex(CONTENT)
SEARCH = StoreSearch(INDEX)
STORES = list(CONTENT.stores)
ANY_STORE = st.sampled_from(STORES)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ids(query: str, now: datetime | None = AFTERNOON) -> list[str]:
    return [hit.store.id for hit in SEARCH.search(query, now)]


def best_tier(query: str, store_id: str) -> Tier | None:
    return next((hit.tier for hit in SEARCH.search(query, AFTERNOON) if hit.store.id == store_id), None)


def unit_forms(unit: str, level_short: str) -> list[str]:
    """How visitors type "3F-12": as printed, lower case, "L3 12", "312", "3楼12号"."""
    rest = unit[len(level_short):].lstrip("-") if unit.upper().startswith(level_short.upper()) else unit
    forms = [unit, unit.lower(), f"{level_short} {rest}"]
    if level_short.endswith("F") and level_short[:-1].isdigit():
        floor = level_short[:-1]
        forms += [f"L{floor} {rest}", f"{floor}{rest}", f"{floor}楼{rest}号"]
    return forms


# ---------------------------------------------------------------- every store, every way
@pytest.mark.parametrize("store", STORES, ids=lambda store: store.id)
def test_every_store_is_found_by_name_pinyin_initials_and_unit(store):
    for language in LANGUAGES:
        name = getattr(store.name, language)
        if name:
            assert best_tier(name, store.id) == Tier.EXACT, f"{language} name {name!r}"
    pinyin = "".join(pinyin_syllables(store.name.zh_CN))
    assert best_tier(pinyin, store.id) == Tier.EXACT, f"full pinyin {pinyin!r}"
    initials = pinyin_initials(store.name.zh_CN)
    assert best_tier(initials, store.id) == Tier.EXACT, f"initials {initials!r}"
    level = INDEX.level(store.level_id)
    for form in unit_forms(store.unit, level.short_name):
        assert ids(form)[0] == store.id, f"unit typed as {form!r}"


@PROPERTY
@given(store=ANY_STORE, language=st.sampled_from(LANGUAGES), data=st.data())
def test_a_typed_prefix_of_any_name_keeps_the_store_among_the_results(store, language, data):
    name = getattr(store.name, language) or store.name.zh_CN
    folded = fold(name)
    end = data.draw(st.integers(min_value=min(len(folded), 3 if folded.isascii() else 1), max_value=len(folded)))
    assert store.id in ids(folded[:end])


@PROPERTY
@given(store=ANY_STORE, data=st.data())
def test_one_typo_in_a_query_of_four_or_more_letters_still_finds_the_store(store, data):
    word = data.draw(st.sampled_from(["".join(pinyin_syllables(store.name.zh_CN)), fold(store.name.en)]))
    if len(word) < 5 or not word.isascii():
        return
    position = data.draw(st.integers(min_value=1, max_value=len(word) - 1))
    kind = data.draw(st.sampled_from(["drop", "swap", "replace"]))
    if kind == "drop":
        typo = word[:position] + word[position + 1:]
    elif kind == "swap":
        typo = word[:position - 1] + word[position] + word[position - 1] + word[position + 1:]
    else:
        letter = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
        typo = word[:position] + letter + word[position + 1:]
    assert store.id in ids(typo), f"{word!r} typed as {typo!r}"


@PROPERTY
@given(store=ANY_STORE, data=st.data())
def test_one_typo_matching_compares_only_what_can_match_and_misses_nothing(store, data):
    """The halves prefilter finds exactly what comparing every cut key would."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    word = data.draw(st.sampled_from(["".join(pinyin_syllables(store.name.zh_CN)), fold(store.name.en)]))
    letters = list(word[:data.draw(st.integers(min_value=3, max_value=max(3, len(word))))])
    for _ in range(data.draw(st.integers(min_value=0, max_value=2))):
        position = data.draw(st.integers(min_value=0, max_value=len(letters)))
        edit = data.draw(st.sampled_from(["drop", "add", "replace", "swap"]))
        letter = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
        if edit == "add" or not letters:
            letters.insert(position, letter)
        elif edit == "drop":
            del letters[min(position, len(letters) - 1)]
        elif edit == "replace":
            letters[min(position, len(letters) - 1)] = letter
        elif position + 1 < len(letters):
            letters[position], letters[position + 1] = letters[position + 1], letters[position]
    query = "".join(letters)
    found: dict = {}
    SEARCH._match_one_typo(query, found)
    expected: dict = {}
    tables = SEARCH._fuzzy_by_length if len(query) <= MAX_PREFIX_FUZZY else SEARCH._whole_by_length
    for length in (len(query) - 1, len(query), len(query) + 1):
        table = tables.get(length)
        for _, _, row in process.extract(query, table.texts if table else [], scorer=OSA.distance,
                                         score_cutoff=1, limit=None):
            for store_index, code, text in table.entries[row]:
                if store_index not in expected or code < expected[store_index][0]:
                    expected[store_index] = (code, text)
    assert found == expected, query


def test_no_typo_is_forgiven_below_four_letters():
    assert "cloud-coffee" in ids("clodu")  # five letters, two swapped: forgiven
    assert "cloud-coffee" in ids("clud")  # four letters, one dropped: forgiven
    assert "cloud-coffee" not in ids("olc")  # three letters: no typo forgiven


# ---------------------------------------------------------------- ranking
def test_exact_and_prefix_come_before_fuzzy_matches():
    hits = SEARCH.search("yunduo", AFTERNOON)
    assert hits[0].store.id == "cloud-coffee" and hits[0].tier == Tier.PREFIX
    tiers = [hit.tier for hit in hits]
    assert tiers == sorted(tiers)
    assert all(hit.tier == Tier.ONE_TYPO for hit in hits[1:])


def test_open_stores_come_before_closed_ones_within_a_tier():
    late = TimeRange(weekdays=list(range(7)), open="20:00", close="23:00")
    stores = [
        STORES[0].model_copy(update={"id": "a-closed", "name": I18nText(zh_CN="星光书店", en="Star Books"),
                                     "hours": [late], "keywords": []}),
        STORES[0].model_copy(update={"id": "b-open", "name": I18nText(zh_CN="星光花店", en="Star Flowers"),
                                     "hours": [], "keywords": []}),
    ]
    search = StoreSearch(ContentIndex(CONTENT.model_copy(update={"stores": stores, "promotions": []})))
    hits = search.search("xingguang", AFTERNOON)
    assert [hit.store.id for hit in hits] == ["b-open", "a-closed"]
    assert [hit.is_open for hit in hits] == [True, False]
    evening = AFTERNOON.replace(hour=21)
    assert [hit.store.id for hit in search.search("xingguang", evening)] == ["a-closed", "b-open"]


def test_chinese_that_sounds_the_same_still_finds_the_store():
    assert ids("雲朵")[0] == "cloud-coffee"  # Traditional characters
    hits = SEARCH.search("云多", AFTERNOON)  # a wrong character, the right sound
    assert hits[0].store.id == "cloud-coffee" and hits[0].tier == Tier.SOUNDS_LIKE


def test_keywords_and_categories_find_related_stores_after_names():
    hits = SEARCH.search("coffee", AFTERNOON)
    assert hits[0].store.id == "cloud-coffee" and hits[0].tier == Tier.WORD_START
    related = [hit for hit in hits[1:]]
    assert related and all(hit.tier >= Tier.WORD_START for hit in related)
    assert any("coffee" in hit.store.keywords for hit in related)


def test_a_floor_lists_its_stores_in_unit_order_open_ones_first():
    units = [hit.store.unit for hit in SEARCH.search("3F")]
    assert units and all(unit.startswith("3F") for unit in units)
    assert units == sorted(units)
    at_the_moment = SEARCH.search("3F", AFTERNOON)
    open_flags = [hit.is_open for hit in at_the_moment]
    assert open_flags == sorted(open_flags, reverse=True) and False in open_flags, "3F-20 is closed on Mondays"
    open_units = [h.store.unit for h in at_the_moment if h.is_open]
    assert open_units == sorted(open_units)


def test_one_or_two_latin_letters_match_only_the_start_of_names():
    for hit in SEARCH.search("x", AFTERNOON):
        assert hit.tier in (Tier.EXACT, Tier.PREFIX, Tier.RELATED)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("query", [
    "", "   ", "!!!", "@#%&*", "😀", "☕️🍰", "a" * 500, "星" * 500, "星bucks", "xīngbākè", "\x00\x1f",
    "<script>alert(1)</script>", "' OR 1=1 --", "３Ｆ－１２", "ｃｌｏｕｄ",
])
def test_bad_queries_return_a_list_and_never_raise(query):
    hits = SEARCH.search(query, AFTERNOON)
    assert isinstance(hits, list)
    if not fold(query):
        assert hits == []


def test_a_query_in_two_scripts_finds_the_stores_each_part_names():
    assert ids("Cloud咖啡") == ["cloud-coffee"]
    assert ids("云朵coffee")[0] == "cloud-coffee"
    on_first_floor = ids("1F咖啡")
    assert on_first_floor[0] == "cloud-coffee"
    assert all(INDEX.store(store_id).unit.startswith("1F") for store_id in on_first_floor)
    assert ids("星bucks") == [], "no 星巴克 here, and no guessing"


def test_full_width_input_is_folded_like_half_width():
    assert ids("３Ｆ－１２")[0] == ids("3F-12")[0]
    assert ids("ｃｌｏｕｄ")[0] == "cloud-coffee"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_any_text_at_all_returns_results_without_raising(query):
    hits = SEARCH.search(query, AFTERNOON)
    assert all(hit.store.id for hit in hits)


# ---------------------------------------------------------------- helpers
def test_unit_aliases_cover_the_forms_people_use():
    assert {"3f12", "312", "l312"} <= unit_aliases("3F-12", "3F")
    assert {"3f01", "3f1", "31", "301"} <= unit_aliases("3F-01", "3F")
    assert {"b1f01", "b1f1"} <= unit_aliases("B1-F01", "B1")


def test_browse_letters_follow_the_language():
    store = INDEX.store("cloud-coffee")
    assert browse_letter(store, "en") == "C"
    assert browse_letter(store, "zh_CN") == "Y"
    assert browse_letter(store, "zh_TW") == "Y"
    thirty = next(s for s in STORES if s.name.en.startswith("30"))
    assert browse_letter(thirty, "en") == "#"


def test_the_index_is_built_once_per_content_index():
    from venue.search import search_for

    assert search_for(INDEX) is search_for(INDEX)
    other = ContentIndex(CONTENT)
    assert search_for(other) is not search_for(INDEX) or search_for(other).index is other


# ---------------------------------------------------------------- python -m kiosk search
def test_the_search_command_prints_ranked_results_from_the_installed_content(tmp_path, capsys):
    from kiosk.__main__ import main
    from kiosk.content import install_bundle
    from kiosk.store import LocalStore

    assert main(["search", "--data-dir", str(tmp_path), "yunduo"]) == 1, "nothing installed yet"
    with LocalStore(tmp_path / "kiosk.db") as store:
        assert main(["search", "--data-dir", str(tmp_path), "yunduo"]) == 1
        install_bundle(store, load_source_bundle(DEMO))
    capsys.readouterr()
    assert main(["search", "--data-dir", str(tmp_path), "yunduo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("4 result(s) for 'yunduo' in galaxy-harbour content version 1")
    assert "1F-19" in lines[1] and "云朵咖啡 / Cloud Coffee / 雲朵咖啡" in lines[1]
    assert "[prefix: yunduokafei;" in lines[1]
    assert main(["search", "--data-dir", str(tmp_path), "☕️!!"]) == 0
    assert capsys.readouterr().out.startswith("0 result(s)")
