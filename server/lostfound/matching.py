"""Match suggestions between lost reports and found items (staff only, never shown to visitors).

Following the practice that works at lost-property offices: hard filters first (the same
category, a found time that fits the loss), then a score from the description, the colour and
the brand, the place and the time.

Descriptions come in Chinese (Simplified or Traditional) and English, often about the same
item in different languages (a visitor writes English, the desk registers in Chinese), so:

* Traditional characters and Taiwan phrasing are folded to Simplified (OpenCC: 螢幕 → 屏幕);
* Chinese runs give character unigrams and bigrams, for Chinese against Chinese;
* Chinese runs are also split into dictionary words, and each word adds the content words of
  its CC-CEDICT senses as concept tokens (钱包 → ``@wallet``, ``@purse``); English words are
  stemmed into the same tokens ("wallets" → ``@wallet``), so the two languages meet. The
  matcher carries no word list of its own (see `lexicon`);
* Chinese runs also give their pinyin syllable pairs, which an English report's word pairs
  meet: the name 王芳 on a card and "Wang Fang" in a report;
* terms are weighted by rarity among the candidates (IDF) and compared by cosine similarity.

This module knows nothing of Django: the services feed it `ItemFacts`, the benchmark too.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from pypinyin import lazy_pinyin

from . import lexicon

SUGGESTIONS_PER_REPORT = 5
FOUND_BEFORE_LOST_SLACK = timedelta(hours=24)
"""Visitors give the time of a loss roughly (the kiosk offers "earlier today", "yesterday"):
an item may be found up to a mall day before the time they name. Within this slack an
earlier find only scores less (`_time_score`)."""
MAX_DAYS_LOST_TO_FOUND = 30
UNKNOWN_TIME_WINDOW = timedelta(days=30)

WEIGHT_TEXT = 0.45
WEIGHT_COLOUR = 0.15
WEIGHT_BRAND = 0.15
WEIGHT_PLACE = 0.10
WEIGHT_TIME = 0.15
BRAND_UNKNOWN = 0.3
TIME_HALF_LIFE_DAYS = 1.5
"""Most lost things are found and handed in within a day or so: later finds score less."""
EARLY_FIND_HALF_LIFE_HOURS = 6
"""A find before the time the visitor names is possible (their time is rough) but less
likely the earlier it is."""

RELATED_COLOURS = {
    frozenset({"grey", "silver"}), frozenset({"brown", "beige"}), frozenset({"gold", "yellow"}),
    frozenset({"red", "pink"}), frozenset({"blue", "purple"}), frozenset({"white", "beige"}),
    frozenset({"grey", "black"}), frozenset({"white", "silver"}), frozenset({"orange", "red"}),
    frozenset({"orange", "yellow"}), frozenset({"gold", "brown"}), frozenset({"black", "blue"}),
}
"""Pairs people confuse (navy called black, champagne called gold): half credit."""

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
CHINESE_CHARACTER_WEIGHT = 0.5
CONCEPT_WEIGHT = 1.5


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
            object.__setattr__(self, "terms", _cached_terms(" ".join((self.text, self.brand))))


TERMS_CACHE_SIZE = 50_000


@functools.lru_cache(maxsize=TERMS_CACHE_SIZE)
def _cached_terms(text: str) -> Counter:
    """Re-matching reads the same registered items again and again: their terms are computed
    once per process (the Counter is shared: never change it)."""
    return text_terms(text)


@dataclass(frozen=True)
class Suggestion:
    key: object
    score: float
    text_similarity: float


def normalise(text: str) -> str:
    """NFKC, lower case, Traditional and Taiwan phrasing folded to Simplified."""
    return lexicon.simplified(unicodedata.normalize("NFKC", text or "").lower())


def text_terms(text: str) -> Counter:
    """The terms of a description: Chinese characters and character pairs, English words and
    word pairs, pinyin syllable pairs (names), and the concept tokens (``@wallet``) that a
    Chinese dictionary word and an English word share."""
    text = normalise(text)
    terms: Counter = Counter()
    for run in _CJK_RUN.findall(text):
        for index, char in enumerate(run):
            if char not in lexicon.CHINESE_STOP_CHARACTERS:
                terms[char] += CHINESE_CHARACTER_WEIGHT
            if index + 1 < len(run):
                terms[run[index:index + 2]] += 1
        for word in lexicon.segment(run):
            concepts = lexicon.chinese_concepts(word)
            for concept in concepts:
                terms["@" + concept] += CONCEPT_WEIGHT / math.sqrt(len(concepts))
        syllables = lazy_pinyin(run)
        for first, second in pairwise(syllables):
            terms[f"~{first}{second}"] += 1
    latin = _CJK_RUN.sub(" ", text)
    words = _LATIN_WORD.findall(latin)
    for first, second in pairwise(words):
        terms[f"~{first}{second}"] += 1
    for concept in lexicon.english_concepts(latin):
        terms["@" + concept] += CONCEPT_WEIGHT
    return terms


def normalise_brand(brand: str) -> str:
    """A brand compares by its Latin name: 华为 = HUAWEI = huawei (the dictionary's name for a
    Chinese brand when it has one), otherwise by its own letters or characters."""
    keys = brand_keys(brand)
    return keys[0] if keys else ""


@functools.lru_cache(maxsize=4096)
def brand_keys(brand: str) -> tuple[str, ...]:
    """Every name a brand may go by, its `normalise_brand` first: for a Chinese brand its
    characters, the dictionary's Latin names and its pinyin (老凤祥 = Lao Feng Xiang), and the
    pinyin initials of a longer name (比亚迪 = BYD); for a Latin brand its letters, and the
    initials of a long name (China Merchants Bank = CMB). () when there is no brand."""
    brand = normalise(brand).strip()
    if not brand:
        return ()
    if _CJK_RUN.fullmatch(brand):
        syllables = lazy_pinyin(brand)
        keys = [*lexicon.brand_names(brand), brand, "".join(syllables)]
        if len(syllables) >= 3:
            keys.append("".join(syllable[0] for syllable in syllables))
        return tuple(dict.fromkeys(keys))
    words = _LATIN_WORD.findall(brand)
    keys = [re.sub(r"[\W_]+", "", brand) or brand]
    if len(words) >= 3:
        keys.append("".join(word[0] for word in words))
    return tuple(dict.fromkeys(keys))


def _brand_known_by_name(brand: str) -> bool:
    """Whether a brand's Latin name is known: written in letters, or in the dictionary."""
    brand = normalise(brand).strip()
    return not _CJK_RUN.fullmatch(brand) or bool(lexicon.brand_names(brand))


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


def _is_chinese(term: str) -> bool:
    """A Chinese character or character pair (concept and pair terms start with @ or ~)."""
    return term[0] >= "\u3400"


def _has_chinese(terms: Counter) -> bool:
    return any(_is_chinese(term) for term in terms)


def _cosine(left: Counter, right: Counter, idf: dict[str, float], default_idf: float) -> float:
    """IDF-weighted cosine over the terms both texts could share: a Chinese and an English
    description are compared by their concepts and syllable pairs alone, so the Chinese
    characters an English text can never have do not make every such pair look unlike."""
    def weight(term: str, count: float) -> float:
        return (1 + math.log(count)) * idf.get(term, default_idf) if count >= 1 else count * idf.get(term, default_idf)

    left_chinese, right_chinese = _has_chinese(left), _has_chinese(right)
    comparable = (lambda term: True) if left_chinese == right_chinese else (lambda term: not _is_chinese(term))
    left_weights = {term: weight(term, count) for term, count in left.items() if comparable(term)}
    right_weights = {term: weight(term, count) for term, count in right.items() if comparable(term)}
    dot = sum(value * right_weights[term] for term, value in left_weights.items() if term in right_weights)
    if dot <= 0:
        return 0.0
    norm = math.sqrt(sum(v * v for v in left_weights.values())) * math.sqrt(sum(v * v for v in right_weights.values()))
    return dot / norm if norm else 0.0


COLOUR_CODES = ("black", "white", "grey", "red", "pink", "orange", "yellow", "green", "blue", "purple", "brown",
                "beige", "gold", "silver")
"""The colour chips' codes (`sync.protocol.ItemColour`), which are English colour words."""


def colour_of(facts: ItemFacts) -> str:
    """The colour chosen on the form; else the one colour the description names (黑色 and
    "black" both give the concept ``@black``), if it names exactly one."""
    if facts.colour:
        return facts.colour
    named = [code for code in COLOUR_CODES if f"@{code}" in facts.terms]
    return named[0] if len(named) == 1 else ""


def _colour_score(lost: str, found: str) -> float:
    if not lost or not found:
        return 0.4
    if lost == found:
        return 1.0
    if frozenset({lost, found}) in RELATED_COLOURS or "multi" in (lost, found):
        return 0.5
    return 0.0


def _brand_score(lost: ItemFacts, found: ItemFacts) -> float:
    """Both brands given: the same brand by any of its names, or plainly different; a Chinese
    brand the dictionary cannot name against a Latin one is unknown, not different (蔻驰 may
    well be Coach). One brand given: whether the other description names it."""
    lost_keys, found_keys = brand_keys(lost.brand), brand_keys(found.brand)
    if lost_keys and found_keys:
        if set(lost_keys) & set(found_keys):
            return 1.0
        same_script = bool(_CJK_RUN.search(normalise(lost.brand))) == bool(_CJK_RUN.search(normalise(found.brand)))
        if same_script or (_brand_known_by_name(lost.brand) and _brand_known_by_name(found.brand)):
            return 0.0
        return BRAND_UNKNOWN
    keys = lost_keys or found_keys
    if not keys:
        return BRAND_UNKNOWN
    other = found if lost_keys else lost
    other_text = normalise(other.text).replace(" ", "")
    mentioned = any(key in other.terms or f"@{key}" in other.terms or (len(key) >= 3 and key in other_text)
                    for key in keys)
    return 0.8 if mentioned else 0.25


def _place_score(lost: ItemFacts, found: ItemFacts) -> float:
    if lost.store_id and lost.store_id == found.store_id:
        return 1.0
    if lost.level_id and found.level_id:
        return 0.6 if lost.level_id == found.level_id else 0.0
    return 0.3


def _time_score(lost: ItemFacts, found: ItemFacts) -> float:
    if lost.at is None or found.at is None:
        return 0.3
    hours = (found.at - lost.at).total_seconds() / 3600
    if hours < 0:
        return 0.5 ** (-hours / EARLY_FIND_HALF_LIFE_HOURS)
    return 0.5 ** (max(0.0, hours / 24 - 0.5) / TIME_HALF_LIFE_DAYS)


def score_pair(lost: ItemFacts, found: ItemFacts, idf: dict[str, float], default_idf: float) -> Suggestion:
    similarity = _cosine(lost.terms, found.terms, idf, default_idf)
    score = (
        WEIGHT_TEXT * similarity
        + WEIGHT_COLOUR * _colour_score(colour_of(lost), colour_of(found))
        + WEIGHT_BRAND * _brand_score(lost, found)
        + WEIGHT_PLACE * _place_score(lost, found)
        + WEIGHT_TIME * _time_score(lost, found)
    )
    return Suggestion(found.key, round(score, 6), round(similarity, 6))


def rank(lost: ItemFacts, found_items: Iterable[ItemFacts], limit: int = SUGGESTIONS_PER_REPORT,
         *, filtered: bool = True) -> list[Suggestion]:
    """The best `limit` found items for a lost report, best first, after the hard filters
    (`filtered=False` when the caller chose the candidates by filters of its own)."""
    candidates = [found for found in found_items if not filtered or passes_filters(lost, found)]
    if not candidates:
        return []
    idf = _idf(candidates)
    default_idf = math.log(len(candidates) + 2)
    scored = [score_pair(lost, found, idf, default_idf) for found in candidates]
    scored.sort(key=lambda suggestion: (-suggestion.score, str(suggestion.key)))
    return scored[:limit]
