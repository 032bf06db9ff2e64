"""Match suggestions between lost reports and found items (staff only, never shown to visitors).

Following the practice that works at lost-property offices: hard filters first (the same
category, a found time that fits the loss), then a score from the description, the colour and
the brand, the place and the time.

Descriptions come in Chinese (Simplified or Traditional) and English, often about the same
item in different languages (a visitor writes English, the desk registers in Chinese), so:

* Chinese runs become character unigrams and bigrams (no word segmenter needed: bigrams catch
  钱包, 皮质, 挂件), Traditional characters common in item descriptions are folded to Simplified;
* English words are lower-cased and crudely singularised;
* a small bilingual glossary of lost-property words (materials, item kinds, brands, marks)
  adds a shared concept token for both languages: 皮 and "leather" both add ``@leather``;
* Chinese runs also give their pinyin syllable pairs, which an English report's word pairs
  meet: the name 王芳 on a card and "Wang Fang" in a report;
* terms are weighted by rarity among the candidates (IDF) and compared by cosine similarity.

This module knows nothing of Django: the services feed it `ItemFacts`, the benchmark too.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pypinyin import lazy_pinyin

SUGGESTIONS_PER_REPORT = 5
FOUND_BEFORE_LOST_SLACK = timedelta(hours=12)
"""Visitors give the time of a loss roughly ("this morning"): an item may be found a little
before the time they name."""
MAX_DAYS_LOST_TO_FOUND = 30
UNKNOWN_TIME_WINDOW = timedelta(days=30)

WEIGHT_TEXT = 0.45
WEIGHT_COLOUR = 0.15
WEIGHT_BRAND = 0.15
WEIGHT_PLACE = 0.10
WEIGHT_TIME = 0.15
TIME_HALF_LIFE_DAYS = 1.5
"""Most lost things are found and handed in within a day or so: later finds score less."""

RELATED_COLOURS = {
    frozenset({"grey", "silver"}), frozenset({"brown", "beige"}), frozenset({"gold", "yellow"}),
    frozenset({"red", "pink"}), frozenset({"blue", "purple"}), frozenset({"white", "beige"}),
    frozenset({"grey", "black"}), frozenset({"white", "silver"}), frozenset({"orange", "red"}),
    frozenset({"orange", "yellow"}), frozenset({"gold", "brown"}),
}
"""Pairs people confuse (navy called black, champagne called gold): half credit."""

_TRADITIONAL = str.maketrans(
    "錢鑰匙傘機鏈錶裝黃綠藍紅銀棕灰黑兒褲襪帶鏡記證護銀卡貼紙殼電腦舊壞劃戶顏發點園車鞋帽書亞頭長條絨",
    "钱钥匙伞机链表装黄绿蓝红银棕灰黑儿裤袜带镜记证护银卡贴纸壳电脑旧坏划户颜发点园车鞋帽书亚头长条绒",
)

# Concept → the words that mean it, in either language (Simplified Chinese, English).
_GLOSSARY: dict[str, tuple[str, ...]] = {
    "leather": ("皮", "皮质", "真皮", "leather"),
    "canvas": ("帆布", "canvas"),
    "plastic": ("塑料", "plastic"),
    "metal": ("金属", "metal", "metallic"),
    "cloth": ("布", "fabric", "cloth", "cotton", "棉"),
    "wool": ("羊毛", "毛线", "wool", "woollen", "knitted", "针织"),
    "denim": ("牛仔", "denim", "jeans"),
    "down": ("羽绒", "down", "puffer"),
    "case": ("壳", "手机壳", "case", "cover"),
    "strap": ("带", "肩带", "strap", "lanyard", "挂绳"),
    "keyring": ("钥匙扣", "钥匙圈", "keyring", "key ring", "keychain", "fob"),
    "pendant": ("挂件", "吊坠", "pendant", "charm"),
    "sticker": ("贴纸", "sticker", "stickers"),
    "crack": ("裂", "碎", "cracked", "crack", "broken", "划痕", "scratch", "scratched", "scratches"),
    "zip": ("拉链", "zip", "zipper"),
    "card": ("卡", "card", "cards"),
    "id": ("身份证", "id", "identity"),
    "passport": ("护照", "passport"),
    "bankcard": ("银行卡", "bank", "debit", "credit"),
    "cash": ("现金", "钱", "cash", "money", "notes"),
    "photo": ("照片", "photo", "picture"),
    "name": ("名字", "姓名", "name", "named"),
    "child": ("儿童", "小孩", "孩子", "kid", "kids", "child", "children"),
    "bear": ("熊", "bear", "teddy"),
    "rabbit": ("兔", "rabbit", "bunny"),
    "cat": ("猫", "cat", "kitty"),
    "dog": ("狗", "dog", "puppy"),
    "car": ("车", "car"),
    "flower": ("花", "flower", "floral"),
    "stripe": ("条纹", "striped", "stripes", "stripe"),
    "dot": ("圆点", "波点", "dots", "dotted", "polka"),
    "long": ("长", "long"),
    "short": ("短", "short"),
    "folding": ("折叠", "folding", "foldable", "compact"),
    "ring": ("戒指", "ring"),
    "necklace": ("项链", "necklace", "chain"),
    "bracelet": ("手链", "手镯", "bracelet", "bangle"),
    "earring": ("耳环", "耳钉", "earring", "earrings"),
    "watch": ("手表", "表", "watch"),
    "glasses": ("眼镜", "glasses", "spectacles", "sunglasses", "墨镜"),
    "headphones": ("耳机", "earphones", "headphones", "earbuds", "airpods"),
    "backpack": ("双肩包", "背包", "backpack", "rucksack"),
    "handbag": ("手提包", "手袋", "handbag", "tote"),
    "shopping": ("购物袋", "shopping"),
    "jacket": ("外套", "夹克", "jacket", "coat"),
    "scarf": ("围巾", "scarf"),
    "hat": ("帽", "hat", "cap"),
    "glove": ("手套", "glove", "gloves"),
    "shoe": ("鞋", "shoe", "shoes", "sneaker", "sneakers"),
    "book": ("书", "book", "notebook", "本子"),
    "house": ("家门", "house", "home", "door"),
    "gold": ("金", "gold", "golden"),
    "silver": ("银", "silver"),
    "pearl": ("珍珠", "pearl", "pearls"),
    "diamond": ("钻", "diamond"),
    "apple": ("苹果", "apple", "iphone"),
    "huawei": ("华为", "huawei"),
    "xiaomi": ("小米", "xiaomi", "redmi"),
    "samsung": ("三星", "samsung"),
    "oppo": ("oppo",),
    "vivo": ("vivo",),
    "honor": ("荣耀", "honor"),
    "coach": ("蔻驰", "coach"),
    "gucci": ("古驰", "gucci"),
    "lv": ("路易威登", "lv", "louis", "vuitton"),
    "nike": ("耐克", "nike"),
    "adidas": ("阿迪达斯", "阿迪", "adidas"),
    "uniqlo": ("优衣库", "uniqlo"),
    "zara": ("zara",),
    "lego": ("乐高", "lego"),
    "disney": ("迪士尼", "disney"),
    "tesla": ("特斯拉", "tesla"),
    "bmw": ("宝马", "bmw"),
    "toyota": ("丰田", "toyota"),
    "pandora": ("潘多拉", "pandora"),
    "chowtaifook": ("周大福", "chow tai fook", "ctf"),
    "swarovski": ("施华洛世奇", "swarovski"),
    "casio": ("卡西欧", "casio"),
    "rolex": ("劳力士", "rolex"),
    "paradise": ("天堂", "paradise"),
    "muji": ("无印良品", "muji"),
    "longchamp": ("珑骧", "longchamp"),
    "mk": ("迈克高仕", "michael kors", "mk"),
    "transparent": ("透明", "clear", "transparent"),
    "cartoon": ("卡通", "cartoon"),
    "print": ("印花", "图案", "print", "printed", "pattern"),
    "worn": ("磨损", "旧", "worn", "old", "used"),
    "coin": ("零钱", "coin", "coins"),
    "membership": ("会员", "membership", "member", "loyalty"),
    "transport": ("交通", "公交", "地铁", "transport", "transit", "metro"),
    "holder": ("卡套", "holder", "sleeve", "伞套"),
    "cmb": ("招商银行", "招行", "cmb", "china merchants"),
    "icbc": ("工商银行", "工行", "icbc"),
    "torch": ("手电", "torch", "flashlight"),
    "access": ("门禁", "access"),
    "string": ("绳", "string", "cord"),
    "wood": ("木", "wooden", "wood"),
    "handle": ("手柄", "柄", "handle"),
    "laptop": ("电脑", "laptop", "computer"),
    "bottle": ("水杯", "杯", "bottle", "cup", "flask"),
    "clothes": ("衣服", "clothes", "clothing"),
    "tissue": ("纸巾", "tissue", "tissues"),
    "pocket": ("口袋", "pocket"),
    "hood": ("连帽", "hood", "hooded"),
    "checked": ("格子", "checked", "plaid", "tartan"),
    "size": ("尺码", "size"),
    "dress": ("裙", "dress", "skirt"),
    "bow": ("蝴蝶结", "bow"),
    "remote": ("遥控", "remote"),
    "sound": ("发声", "声音", "sound", "sounds", "music"),
    "ear": ("耳朵", "ears", "ear"),
    "box": ("盒", "box", "case"),
    "engraved": ("刻", "engraved", "engraving"),
    "letter": ("字母", "letters", "initials"),
    "heart": ("心形", "心", "heart"),
    "receipt": ("发票", "收据", "receipt", "receipts", "invoice"),
    "contract": ("合同", "contract"),
    "folder": ("文件袋", "文件夹", "folder", "file"),
    "wireless": ("无线", "wireless", "bluetooth", "蓝牙"),
    "frame": ("框", "frame"),
    "charging": ("充电", "charging", "charger"),
    "steel": ("不锈钢", "钢", "stainless", "steel"),
    "label": ("标签", "label", "tag"),
    "rib": ("伞骨", "rib", "ribs"),
    "automatic": ("自动", "automatic", "auto"),
    "foreign": ("外国", "foreign"),
    "medical": ("病历", "medical"),
    "black": ("黑", "black"),
    "white": ("白", "white"),
    "red": ("红", "red"),
    "blue": ("蓝", "blue", "navy"),
    "green": ("绿", "green"),
    "pink": ("粉", "pink"),
    "brown": ("棕", "咖啡色", "brown", "tan"),
    "grey": ("灰", "grey", "gray"),
    "yellow": ("黄", "yellow"),
    "purple": ("紫", "purple"),
}
_ENGLISH_STOPWORDS = frozenset(
    "a an the and or of with on in at to my it its is was has have had there this that i me "
    "one some very near by for from lost found left small big little new old".split()
)
_CHINESE_STOPWORDS = frozenset("的了在有一个是我和把被个只它上里")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")

_CJK_TERMS: dict[str, set[str]] = {}
_LATIN_TERMS: dict[tuple[str, ...], set[str]] = {}
for _concept, _words in _GLOSSARY.items():
    for _word in _words:
        if _CJK_RUN.fullmatch(_word):
            _CJK_TERMS.setdefault(_word, set()).add("@" + _concept)
        else:
            _LATIN_TERMS.setdefault(tuple(_word.split()), set()).add("@" + _concept)
_LONGEST_CJK_TERM = max(len(term) for term in _CJK_TERMS)
_LONGEST_LATIN_TERM = max(len(term) for term in _LATIN_TERMS)


@dataclass(frozen=True)
class ItemFacts:
    """What matching reads of a found item or a lost report."""

    key: object
    category: str
    text: str
    colour: str = ""
    brand: str = ""
    at: datetime | None = None
    """When it was found, or when the visitor thinks it was lost (aware)."""
    level_id: str = ""
    store_id: str = ""
    terms: Counter = field(default=None, compare=False, hash=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.terms is None:
            object.__setattr__(self, "terms", text_terms(" ".join((self.text, self.brand))))


@dataclass(frozen=True)
class Suggestion:
    key: object
    score: float
    text_similarity: float


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().translate(_TRADITIONAL)


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def text_terms(text: str) -> Counter:
    """The terms of a description: CJK unigrams and bigrams, English words, glossary concepts."""
    text = normalise(text)
    terms: Counter = Counter()
    for run in _CJK_RUN.findall(text):
        for index, char in enumerate(run):
            if char not in _CHINESE_STOPWORDS:
                terms[char] += 0.5
            if index + 1 < len(run):
                terms[run[index:index + 2]] += 1
            for length in range(1, min(_LONGEST_CJK_TERM, len(run) - index) + 1):
                for concept in _CJK_TERMS.get(run[index:index + length], ()):
                    terms[concept] += 1.5
        syllables = lazy_pinyin(run)
        for first, second in zip(syllables, syllables[1:]):
            terms[f"~{first}{second}"] += 1
    words = _LATIN_WORD.findall(_CJK_RUN.sub(" ", text))
    for index, word in enumerate(words):
        if word not in _ENGLISH_STOPWORDS:
            terms[_singular(word)] += 1
        if index + 1 < len(words):
            terms[f"~{word}{words[index + 1]}"] += 1
        for length in range(1, min(_LONGEST_LATIN_TERM, len(words) - index) + 1):
            for concept in _LATIN_TERMS.get(tuple(words[index:index + length]), ()):
                terms[concept] += 1.5
    return terms


def normalise_brand(brand: str) -> str:
    """Brand names compare by concept when the glossary knows them (华为 = Huawei)."""
    concepts = sorted(term for term in text_terms(brand) if term.startswith("@"))
    if concepts:
        return concepts[0]
    return re.sub(r"[\W_]+", "", normalise(brand))


def passes_filters(lost: ItemFacts, found: ItemFacts) -> bool:
    """Same category, and found no earlier than the loss (with slack) and not long after."""
    if lost.category != found.category:
        return False
    if lost.at is None or found.at is None:
        return True
    if found.at < lost.at - FOUND_BEFORE_LOST_SLACK:
        return False
    return found.at - lost.at <= timedelta(days=MAX_DAYS_LOST_TO_FOUND)


def _idf(candidates: Sequence[ItemFacts]) -> dict[str, float]:
    document_frequency: Counter = Counter()
    for candidate in candidates:
        document_frequency.update(candidate.terms.keys())
    total = len(candidates) + 1
    return {term: math.log((total + 1) / (count + 0.5)) for term, count in document_frequency.items()}


def _cosine(left: Counter, right: Counter, idf: dict[str, float], default_idf: float) -> float:
    def weight(term: str, count: float) -> float:
        return (1 + math.log(count)) * idf.get(term, default_idf) if count >= 1 else count * idf.get(term, default_idf)

    left_weights = {term: weight(term, count) for term, count in left.items()}
    right_weights = {term: weight(term, count) for term, count in right.items()}
    dot = sum(value * right_weights[term] for term, value in left_weights.items() if term in right_weights)
    if dot <= 0:
        return 0.0
    norm = math.sqrt(sum(v * v for v in left_weights.values())) * math.sqrt(sum(v * v for v in right_weights.values()))
    return dot / norm if norm else 0.0


def _colour_score(lost: str, found: str) -> float:
    if not lost or not found:
        return 0.4
    if lost == found:
        return 1.0
    if frozenset({lost, found}) in RELATED_COLOURS or "multi" in (lost, found):
        return 0.5
    return 0.0


def _brand_score(lost: ItemFacts, found: ItemFacts) -> float:
    lost_brand, found_brand = normalise_brand(lost.brand), normalise_brand(found.brand)
    if lost_brand and found_brand:
        return 1.0 if lost_brand == found_brand else 0.0
    known = lost_brand or found_brand
    if not known:
        return 0.3
    other = found if lost_brand else lost
    return 0.8 if known in other.terms or known in normalise(other.text) else 0.25


def _place_score(lost: ItemFacts, found: ItemFacts) -> float:
    if lost.store_id and lost.store_id == found.store_id:
        return 1.0
    if lost.level_id and found.level_id:
        return 0.6 if lost.level_id == found.level_id else 0.0
    return 0.3


def _time_score(lost: ItemFacts, found: ItemFacts) -> float:
    if lost.at is None or found.at is None:
        return 0.3
    days = abs((found.at - lost.at).total_seconds()) / 86400
    return 0.5 ** (max(0.0, days - 0.5) / TIME_HALF_LIFE_DAYS)


def score_pair(lost: ItemFacts, found: ItemFacts, idf: dict[str, float], default_idf: float) -> Suggestion:
    similarity = _cosine(lost.terms, found.terms, idf, default_idf)
    score = (
        WEIGHT_TEXT * similarity
        + WEIGHT_COLOUR * _colour_score(lost.colour, found.colour)
        + WEIGHT_BRAND * _brand_score(lost, found)
        + WEIGHT_PLACE * _place_score(lost, found)
        + WEIGHT_TIME * _time_score(lost, found)
    )
    return Suggestion(found.key, round(score, 6), round(similarity, 6))


def rank(lost: ItemFacts, found_items: Iterable[ItemFacts], limit: int = SUGGESTIONS_PER_REPORT) -> list[Suggestion]:
    """The best `limit` found items for a lost report, best first, after the hard filters."""
    candidates = [found for found in found_items if passes_filters(lost, found)]
    if not candidates:
        return []
    idf = _idf(candidates)
    default_idf = math.log(len(candidates) + 2)
    scored = [score_pair(lost, found, idf, default_idf) for found in candidates]
    scored.sort(key=lambda suggestion: (-suggestion.score, str(suggestion.key)))
    return scored[:limit]
