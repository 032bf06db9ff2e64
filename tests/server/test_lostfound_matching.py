"""Matching without the database: terms for Chinese and English, filters, ranking."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.lostfound.matching import (
    ItemFacts,
    brand_keys,
    colour_of,
    normalise_brand,
    passes_filters,
    rank,
    text_terms,
)

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def test_chinese_gets_bigrams_and_both_languages_share_concepts():
    chinese, english = text_terms("黑色真皮钱包"), text_terms("black leather wallets")
    assert "钱包" in chinese and "真皮" in chinese
    assert {"@leather", "@black", "@wallet"} <= set(chinese) & set(english)
    assert "@leather" in text_terms("真皮錢包"), "Traditional characters are folded to Simplified"


def test_taiwan_phrasing_and_english_endings_meet_the_same_concepts():
    assert "屏幕" in text_terms("螢幕有裂痕"), "Taiwan phrasing is folded to the mainland word"
    assert "@crack" in text_terms("屏幕有裂痕") and "@crack" in text_terms("the screen is cracked")
    assert "@scratch" in text_terms("scratches on the back")


def test_concepts_come_from_the_dictionary_not_a_word_list():
    assert "@shiba" in text_terms("壁纸是一只柴犬") and "@wallpaper" in text_terms("壁纸是一只柴犬")
    assert not any(term.startswith("@") for term in text_terms("的了在有"))
    assert "@hang" in text_terms("挂着小熊") and "@dead" not in text_terms("挂着小熊"), \
        "a lone character gives its commonest sense only"


def test_a_misspelt_english_word_still_meets_its_chinese_wording():
    assert "@wallet" in text_terms("black walet") and "@umbrella" in text_terms("blue umbrela")
    assert "@scratch" in text_terms("scartched screen"), "two letters swapped"
    assert "@zara" in text_terms("Zara coat"), "a word one typo from nothing known stays as written"


def test_an_english_report_is_compared_with_a_chinese_registration_by_shared_concepts():
    lost = ItemFacts(key="L", category="phone", text="phone, cracked screen", at=NOW)
    found = [ItemFacts(key="zh", category="phone", text="手机，屏幕有裂痕", at=NOW),
             ItemFacts(key="en", category="phone", text="phone, clear case", at=NOW)]
    ranked = rank(lost, found)
    assert [suggestion.key for suggestion in ranked] == ["zh", "en"] and ranked[0].text_similarity > 0.3


def test_a_colour_named_only_in_the_text_counts_as_the_colour():
    assert colour_of(ItemFacts(key="F", category="bag", text="深灰色双肩包")) == "grey", \
        "the dictionary's American gray is the colour chip's grey"
    assert colour_of(ItemFacts(key="F", category="bag", text="黑色双肩包")) == "black"
    assert colour_of(ItemFacts(key="F", category="bag", text="黑白条纹包")) == "", "two colours: none chosen"
    assert colour_of(ItemFacts(key="F", category="bag", text="black bag", colour="red")) == "red"


def test_a_name_in_chinese_meets_the_same_name_in_pinyin():
    assert "~wangfang" in text_terms("卡上有姓名王芳") and "~wangfang" in text_terms("card, name Wang Fang")


def test_brands_compare_across_languages():
    assert normalise_brand("华为") == normalise_brand("HUAWEI") == "huawei"
    assert normalise_brand("优衣库") == normalise_brand("Uniqlo")
    assert normalise_brand("Some Brand!") == "somebrand" and normalise_brand("  ") == ""
    assert normalise_brand("蔻驰") == "蔻驰", "a brand the dictionary does not know keeps its characters"
    assert normalise_brand("丰田") == normalise_brand("Toyota")
    assert normalise_brand("大众") != normalise_brand("Volkswagen")
    assert "byd" in brand_keys("比亚迪") and "icbc" in brand_keys("工商银行"), "dictionary names and their initials"
    assert "laofengxiang" in brand_keys("老凤祥"), "a brand the dictionary lacks still goes by its pinyin"


def _ranked(lost_brand: str, *found_brands: str) -> list[str]:
    lost = ItemFacts(key="L", category="bag", text="bag", brand=lost_brand, at=NOW)
    return [suggestion.key for suggestion in rank(lost, [
        ItemFacts(key=brand or "none", category="bag", text="bag", brand=brand, at=NOW) for brand in found_brands])]


def test_brands_differ_only_when_both_names_are_known():
    assert _ranked("BYD", "丰田", "", "比亚迪") == ["比亚迪", "none", "丰田"]
    assert _ranked("Coach", "古驰", "蔻驰")[0] == "蔻驰", "a Chinese brand the dictionary cannot name is unknown"
    assert _ranked("蔻驰", "珑骧", "")[0] == "none", "two brands in the same script plainly differ"


def test_a_find_before_the_stated_loss_time_scores_less_the_earlier_it_is():
    lost = ItemFacts(key="L", category="bag", text="bag", at=NOW)
    found = [ItemFacts(key=hours, category="bag", text="bag", at=NOW + timedelta(hours=hours))
             for hours in (-20, -3, 2, -12)]
    assert [suggestion.key for suggestion in rank(lost, found)] == [2, -3, -12, -20]


def test_filters_category_and_time():
    lost = ItemFacts(key="L", category="bag", text="bag", at=NOW)
    assert passes_filters(lost, ItemFacts(key="F", category="bag", text="bag", at=NOW + timedelta(days=2)))
    assert not passes_filters(lost, ItemFacts(key="F", category="toy", text="bag", at=NOW))
    assert passes_filters(lost, ItemFacts(key="F", category="bag", text="bag", at=NOW - timedelta(hours=20))), \
        "the visitor's time is rough: a find the day before still counts"
    assert not passes_filters(lost, ItemFacts(key="F", category="bag", text="bag", at=NOW - timedelta(days=2)))
    assert not passes_filters(lost, ItemFacts(key="F", category="bag", text="bag", at=NOW + timedelta(days=40)))


def test_an_english_report_ranks_the_chinese_registration_of_its_item_first():
    lost = ItemFacts(key="L", category="phone", text="Lost my black Huawei phone, clear case, cracked screen",
                     colour="black", brand="Huawei", at=NOW, level_id="2f")
    found = [
        ItemFacts(key="theirs", category="phone", text="黑色华为手机，透明手机壳，屏幕有裂痕", colour="black",
                  at=NOW + timedelta(hours=3), level_id="2f"),
        ItemFacts(key="other-brand", category="phone", text="黑色苹果手机，皮质手机壳", colour="black", brand="苹果",
                  at=NOW + timedelta(hours=1), level_id="2f"),
        ItemFacts(key="other-colour", category="phone", text="白色华为手机", colour="white", brand="华为",
                  at=NOW + timedelta(hours=2)),
        ItemFacts(key="wallet", category="wallet", text="黑色华为钱包", colour="black", at=NOW),
    ]
    ranked = [suggestion.key for suggestion in rank(lost, found)]
    assert ranked[0] == "theirs" and "wallet" not in ranked
