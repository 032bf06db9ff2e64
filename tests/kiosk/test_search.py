"""Directory search over the demo mall: every store is found by its name in each language, its
full pinyin, its pinyin initials and its unit number in the forms people type; one typo is
forgiven; ranking puts exact and prefix matches before fuzzy ones and open stores before closed
ones; bad input never raises. Several words narrow in any order; pinyin may carry tone digits.
Facilities are found by their kinds' words in the three languages (the search_words catalog) and
by their own names, and a facility query answers with the nearest one by route (checked against
every route the router gives); every store and facility of the demo mall and of the shared IMDF
sample is found in the top 3 by its own name, pinyin and initials."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.bundle import load_source_bundle
from sync.protocol import LANGUAGES, I18nText, TimeRange
from venue.facility_search import (
    FACILITY_KINDS,
    SEARCH_WORDS_DOMAIN,
    WORD_SEPARATOR,
    FacilitySearch,
    facility_search_for,
    nearest_facility,
    nearest_of,
)
from venue.i18n import LOCALE_DIR, load_catalog
from venue.index import ContentIndex
from venue.routing.router import RoutingError, router_for
from venue.search import (
    MAX_PREFIX_FUZZY,
    PINYIN_SYLLABLE,
    StoreSearch,
    Tier,
    browse_letter,
    fold,
    pinyin_initials,
    pinyin_syllables,
    unit_aliases,
    without_tone_digits,
)

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"
SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTERNOON = datetime(2026, 11, 23, 15, 20, tzinfo=SHANGHAI)
CONTENT = load_source_bundle(DEMO).content
INDEX = ContentIndex(CONTENT)
SEARCH = StoreSearch(INDEX)
FACILITIES = FacilitySearch(INDEX)
IMDF_SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "imdf-polymap"
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


# ---------------------------------------------------------------- several words, tone digits
@pytest.mark.parametrize(("query", "store_id"), [
    ("coffee cloud", "cloud-coffee"), ("Coffee  Cloud", "cloud-coffee"), ("咖啡 云朵", "cloud-coffee"),
    ("咖啡 雲朵", "cloud-coffee"), ("currency exchange", "starsea-bank"), ("exchange currency", "starsea-bank"),
    ("换汇 bank", "starsea-bank"), ("coffee cloud please", "cloud-coffee"),
])
def test_several_words_in_any_order_find_the_store_that_has_them_all(query, store_id):
    assert ids(query)[0] == store_id, query


def test_each_word_narrows_the_results():
    coffee = set(ids("coffee"))
    on_first_floor = ids("coffee 1F")
    assert on_first_floor and set(on_first_floor) < coffee
    assert all(INDEX.store(store_id).unit.startswith("1F") for store_id in on_first_floor)
    assert ids("cloud coffee") == ["cloud-coffee"]


@pytest.mark.parametrize(("query", "store_id"), [
    ("yun2duo3", "cloud-coffee"), ("yun2 duo3", "cloud-coffee"), ("yun2duo3ka1fei1", "cloud-coffee"),
    ("Yun2Duo3", "cloud-coffee"), ("yun2d", "cloud-coffee"), ("ydkf", "cloud-coffee"),
])
def test_pinyin_with_tone_digits_and_initials_find_the_store(query, store_id):
    assert ids(query)[0] == store_id, query


def test_tone_digits_are_read_only_after_whole_pinyin_syllables():
    assert without_tone_digits("yun2duo3") == "yunduo"
    assert without_tone_digits("xi3shou3jian1") == "xishoujian"
    assert without_tone_digits("lv4se4") == "lvse"
    for unit in ("3f12", "l312", "f312", "b1f01", "a105", "312", "a1", "yunduo"):
        assert without_tone_digits(unit) is None, unit


# ---------------------------------------------------------------- facilities
def kinds(query: str) -> list[str]:
    return [hit.kind for hit in FACILITIES.search(query)]


def test_every_facility_kind_has_search_words_in_every_language():
    for language in LANGUAGES:
        catalog = load_catalog(LOCALE_DIR, language, SEARCH_WORDS_DOMAIN)
        assert catalog is not None, language
        for kind in FACILITY_KINDS:
            words = [word.strip() for word in catalog.gettext(kind).split(WORD_SEPARATOR) if word.strip()]
            assert catalog.gettext(kind) != kind and words, f"{language} has no words for {kind}"


@pytest.mark.parametrize(("query", "kind"), [
    # Simplified Chinese
    ("洗手间", "restroom"), ("卫生间", "restroom"), ("厕所", "restroom"), ("取款机", "atm"), ("母婴室", "nursing_room"),
    ("哺乳室", "nursing_room"), ("电梯", "lift"), ("扶梯", "escalator"), ("服务台", "service_desk"),
    ("出口", "exit"), ("停车缴费", "parking_pay"), ("轮椅", "wheelchair_lending"), ("婴儿车", "stroller_lending"),
    ("医务室", "first_aid"), ("充电", "charging"), ("楼梯", "stairs"),
    # English
    ("toilet", "restroom"), ("restroom", "restroom"), ("WC", "restroom"), ("wc", "restroom"), ("ATM", "atm"),
    ("cash machine", "atm"), ("baby room", "nursing_room"), ("nursing room", "nursing_room"), ("lift", "lift"),
    ("elevator", "lift"), ("escalator", "escalator"), ("service desk", "service_desk"),
    ("information", "service_desk"), ("exit", "exit"), ("way out", "exit"), ("parking pay", "parking_pay"),
    ("stroller", "stroller_lending"), ("pram", "stroller_lending"), ("first aid", "first_aid"),
    # Traditional Chinese (Taiwan wording)
    ("洗手間", "restroom"), ("廁所", "restroom"), ("化妝室", "restroom"), ("提款機", "atm"), ("育嬰室", "nursing_room"),
    ("電梯", "lift"), ("電扶梯", "escalator"), ("服務台", "service_desk"), ("停車繳費", "parking_pay"),
    ("嬰兒車", "stroller_lending"),
])
def test_facility_words_in_three_languages_name_the_kind(query, kind):
    assert kinds(query)[:1] == [kind], query


@pytest.mark.parametrize(("query", "kind"), [
    ("cesuo", "restroom"), ("ce4suo3", "restroom"), ("xi3shou3jian1", "restroom"), ("xsj", "restroom"),
    ("dian4ti1", "lift"), ("qu3kuan3ji1", "atm"), ("qkj", "atm"), ("mu3ying1shi4", "nursing_room"),
    ("fu2ti1", "escalator"), ("tcjf", "parking_pay"), ("ting2che1jiao3fei4", "parking_pay"),
])
def test_facility_words_by_pinyin_tone_digits_and_initials(query, kind):
    assert kinds(query)[:1] == [kind], query


@pytest.mark.parametrize(("query", "kind"), [
    ("pay parking", "parking_pay"), ("room baby", "nursing_room"), ("desk service", "service_desk"),
    ("where is the toilet", "restroom"), ("toilet please", "restroom"), ("最近的厕所在哪里", "restroom"),
    ("洗手間在哪裡", "restroom"), ("我要取钱", "atm"), ("toliet", "restroom"), ("elevater", "lift"),
    ("cash", "atm"), ("廁所 ", "restroom"),
])
def test_facility_phrases_reordered_words_and_typos(query, kind):
    assert kinds(query)[:1] == [kind], query


def test_facilities_that_share_a_name_are_one_result():
    hits = FACILITIES.search("洗手间（西）")
    assert hits[0].name is not None and hits[0].name.en == "Restrooms (west)"
    assert sorted(f.level_id for f in hits[0].facilities) == ["1f", "2f", "3f", "4f", "b1"]
    assert hits[0].tier == Tier.EXACT


@pytest.mark.parametrize("query", ["", "   ", "!!!", "😀", "a" * 500, "厕" * 500, "\x00", "３Ｆ"])
def test_bad_facility_queries_return_a_list(query):
    assert isinstance(FACILITIES.search(query), list)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_at_all_searches_facilities_without_raising(query):
    assert all(hit.facilities for hit in FACILITIES.search(query))


def quickest_by_brute_force(kiosk_id: str, kinds_wanted: set[str], profile: str = "standard"):
    """Every facility of the kinds routed to one by one: the quickest reachable one."""
    router = router_for(CONTENT)
    routes = [router.route(kiosk_id, facility.id, profile, offer_alternative=False)
              for facility in CONTENT.facilities if facility.kind in kinds_wanted]
    reachable = [route for route in routes if route.reachable]
    return min(reachable, key=lambda route: (route.seconds, route.metres, route.destination.id))


@pytest.mark.parametrize("kiosk_id", [kiosk.id for kiosk in CONTENT.kiosks])
@pytest.mark.parametrize(("query", "kinds_wanted", "profile"), [
    ("厕所", {"restroom", "accessible_restroom"}, "standard"),
    ("toilet", {"accessible_restroom"}, "step_free"),
    ("ATM", {"atm"}, "standard"), ("母婴室", {"nursing_room"}, "standard"),
    ("停車繳費", {"parking_pay"}, "standard"), ("exit", {"exit"}, "standard"),
    ("服务台", {"service_desk"}, "standard"),
])
def test_a_facility_query_answers_with_the_nearest_one_by_route(kiosk_id, query, kinds_wanted, profile):
    nearest = FACILITIES.nearest(query, kiosk_id, profile)
    expected = quickest_by_brute_force(kiosk_id, kinds_wanted, profile)
    assert nearest is not None and nearest.facility.id == expected.destination.id, (kiosk_id, query)
    assert nearest.route.reachable and nearest.route.destination.id == nearest.facility.id
    assert nearest.metres == pytest.approx(expected.metres)


def test_a_named_facility_answers_with_the_nearest_of_that_name():
    nearest = FACILITIES.nearest("Restrooms (west)", "lobby-1f")
    group = {f.id for f in CONTENT.facilities if f.name.en == "Restrooms (west)"}
    expected = min((router_for(CONTENT).route("lobby-1f", facility_id, "standard", offer_alternative=False)
                    for facility_id in group), key=lambda route: route.seconds)
    assert nearest is not None and nearest.facility.id == expected.destination.id


def test_nearest_without_a_match_or_a_reachable_facility_is_none_and_a_bad_kiosk_is_refused():
    assert FACILITIES.nearest("zzzzqqq", "lobby-1f") is None
    assert nearest_facility(CONTENT, "lobby-1f", "information") is None, "the demo mall has no information point"
    assert nearest_of(CONTENT, "lobby-1f", []) is None
    with pytest.raises(RoutingError):
        nearest_facility(CONTENT, "no-such-kiosk", "restroom")
    with pytest.raises(RoutingError):
        nearest_facility(CONTENT, "lobby-1f", "restroom", profile="hovercraft")


def test_the_facility_index_is_built_once_per_content_index():
    assert facility_search_for(INDEX) is facility_search_for(INDEX)


# ---------------------------------------------------------------- every place by its own name
@pytest.fixture(scope="module", params=["demo", pytest.param("imdf", marks=pytest.mark.imdf)])
def mall(request):
    """The searches over the demo mall and over the shared IMDF sample (skipped when absent)."""
    if request.param == "demo":
        return CONTENT, SEARCH, FACILITIES
    if not IMDF_SAMPLE.is_dir():
        pytest.skip(f"the IMDF sample is absent ({IMDF_SAMPLE})")
    from server.wayfinding.imdf import import_imdf

    content = import_imdf(IMDF_SAMPLE).content
    index = ContentIndex(content)
    return content, StoreSearch(index), FacilitySearch(index)


def own_forms(name: I18nText) -> list[str]:
    """A place's names in each language, the full pinyin and the initials of its Simplified and
    of its Traditional name (a Taiwanese visitor spells the name they read: 化妝室, not 洗手间)."""
    forms = [text for text in (getattr(name, language) for language in LANGUAGES) if text]
    for chinese in dict.fromkeys(text for text in (name.zh_CN, name.zh_TW) if text):
        forms.append("".join(pinyin_syllables(chinese)))
        if any("\u3400" <= ch <= "\u9fff" for ch in chinese):
            forms.append(pinyin_initials(chinese))
    return list(dict.fromkeys(forms))


def names_of(name: I18nText) -> tuple[str, ...]:
    return tuple(getattr(name, language) or "" for language in LANGUAGES)


def store_in_top_three(search: StoreSearch, store, query: str) -> bool:
    """The store is found, and its name is among the first three names listed (stores that
    share one name, such as eleven "Restroom female" rooms, rank together)."""
    hits = search.search(query)
    first_names = list(dict.fromkeys(names_of(hit.store.name) for hit in hits))[:3]
    return any(hit.store.id == store.id for hit in hits) and names_of(store.name) in first_names


def facility_in_top_three(search: FacilitySearch, facility, query: str) -> bool:
    return any(facility in hit.facilities for hit in search.search(query, limit=3))


def test_every_store_and_facility_is_found_in_the_top_three_by_its_own_name_pinyin_and_initials(mall):
    content, stores, facilities = mall
    for store in content.stores:
        for form in own_forms(store.name):
            assert store_in_top_three(stores, store, form), f"store {store.id} by {form!r}"
    for facility in content.facilities:
        for form in own_forms(facility.name):
            assert facility_in_top_three(facilities, facility, form), f"facility {facility.id} by {form!r}"


def visitor_forms(name: I18nText) -> list[str]:
    """own_forms, plus the pinyin with a tone digit after each syllable when every syllable is
    whole pinyin (the digit does not matter to the search, so 1 stands for any)."""
    forms = own_forms(name)
    chinese = name.zh_CN or name.zh_TW
    syllables = pinyin_syllables(chinese) if chinese else []
    if syllables and all(PINYIN_SYLLABLE.fullmatch(syllable) for syllable in syllables):
        forms.append("".join(f"{syllable}{number % 5 + 1}" for number, syllable in enumerate(syllables)))
    return forms


@PROPERTY
@given(data=st.data())
def test_any_place_typed_as_a_visitor_would_is_in_the_top_three(mall, data):
    """Any store or facility, by any of its own forms, in any letter case, with stray spaces."""
    content, stores, facilities = mall
    place = data.draw(st.sampled_from([*content.stores, *content.facilities]))
    form = data.draw(st.sampled_from(visitor_forms(place.name)))
    if data.draw(st.booleans()):
        form = form.upper()
    query = " " * data.draw(st.integers(0, 2)) + form + " " * data.draw(st.integers(0, 2))
    if place in content.stores:
        assert store_in_top_three(stores, place, query), f"store {place.id} by {query!r}"
    else:
        assert facility_in_top_three(facilities, place, query), f"facility {place.id} by {query!r}"


# ---------------------------------------------------------------- every facility word, as visitors type it
KINDS_IN_THE_MALL = sorted({facility.kind for facility in CONTENT.facilities})
"""A word for a kind the mall does not have (an information point) answers with what it has."""


def chinese_words(language: str, kind: str) -> list[str]:
    catalog = load_catalog(LOCALE_DIR, language, SEARCH_WORDS_DOMAIN)
    assert catalog is not None
    words = (word.strip() for word in catalog.gettext(kind).split(WORD_SEPARATOR))
    return [word for word in words if word and all("\u3400" <= ch <= "\u9fff" for ch in word)]


@pytest.mark.parametrize("language", ["zh_CN", "zh_TW"])
@pytest.mark.parametrize("kind", KINDS_IN_THE_MALL)
def test_every_chinese_facility_word_in_tone_digit_pinyin_names_its_kind(language, kind):
    """Simplified and Taiwanese words (洗手间, 化妝室, 提款機 …) typed as pinyin with tone digits."""
    from pypinyin import Style, pinyin

    words = chinese_words(language, kind)
    assert words, f"{language} has Chinese words for {kind}"
    for word in words:
        query = "".join(reading[0] for reading in pinyin(word, style=Style.TONE3, neutral_tone_with_five=True))
        assert kinds(query)[:1] == [kind], f"{word} as {query}"


@pytest.mark.parametrize("kind", KINDS_IN_THE_MALL)
def test_every_taiwanese_facility_word_typed_in_zhuyin_names_its_kind(kind):
    """What a zh_TW visitor's keyboard gives the search while Zhuyin composes (its pinyin): each
    word spelled on the Zhuyin keys, tones marked as the keys do (the first tone has no key), for
    every word that spelling reads back as (失物 spelled ㄕㄨˋ reads shu: typed by its characters)."""
    from pypinyin import Style, lazy_pinyin, pinyin

    from kiosk.ime import PinyinLexicon, ZhuyinInput, zhuyin_syllables

    typed_words = 0
    for word in chinese_words("zh_TW", kind):
        keys = "".join(reading[0] for reading in pinyin(word, style=Style.BOPOMOFO))
        if [syllable.pinyin for syllable in zhuyin_syllables(keys)] != lazy_pinyin(word):
            continue
        method = ZhuyinInput(PinyinLexicon.shared())
        assert all(method.press(key) == "" for key in keys), keys
        assert kinds(method.search_text())[:1] == [kind], f"{word} typed {keys}"
        typed_words += 1
    assert typed_words, f"some word for {kind} is typed in Zhuyin in one go"
