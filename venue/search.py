"""Finding a store as the visitor types: in Chinese characters, full pinyin (`xingbake`),
pinyin initials (`xbk`), English, keywords, or the unit number in the forms people use
(`3F-12`, `L3 12`, `312`, `3楼12`). One typo is forgiven in queries of four or more letters.

Ranking: exact matches, then prefixes, then matches at the start of a word or pinyin
syllable, then matches inside a name, then same-sounding Chinese (a Traditional or mistyped
character whose pinyin matches), then related words (keywords, categories), then one-typo
matches; within each tier open stores come before closed ones.

The index is built once per content version. Every key is folded (compatibility-decomposed,
accents dropped, case-folded, only letters and digits kept). Prefix and word-start matches are a
bisect in sorted lists of keys and of key suffixes at word starts; matches inside a key are
`str.find` calls over all keys joined into one string, not a Python loop over every store;
one-typo matching runs in rapidfuzz over the keys cut to the query's length (±1) that share the
first half or the tail of the query (one edit cannot touch both). A query that no key holds
whole, in two scripts ("Cloud咖啡") or in several words in any order ("coffee cloud",
"exchange currency"), finds the stores that each part finds: each word narrows (a word that
finds nothing at all is passed over). Pinyin typed with tone digits ("yun2duo3") is also
searched without them. No Kivy here: the screens and `python -m kiosk search` share it;
facilities are found by `venue.facility_search`.
"""
from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import NamedTuple

from pypinyin import lazy_pinyin
from rapidfuzz import process
from rapidfuzz.distance import OSA

from sync.protocol import LANGUAGES, Store
from venue.index import ContentIndex

MAX_QUERY_CHARS = 64
"""Longer input is no store name: it is cut here, so a stuck key costs nothing."""
MAX_SCRIPT_RUNS = 4
"""A query switching script more often than this is no name ("Cloud咖啡" has two runs)."""
MAX_QUERY_WORDS = 6
"""A query of more words than this is a sentence, not a name: it is not narrowed word by word."""
MIN_FUZZY_LETTERS = 4
FUZZY_UNTIL_RESULTS = 40
"""A typo is looked for only while the typed text itself finds fewer stores than this: a query
that already matches dozens is not misspelt, and their near-misses would only bury them."""
MIN_INNER_LETTERS = 3
"""Latin queries shorter than this match only from the start of a key."""
MAX_PREFIX_FUZZY = 24
"""Keys are cut to every length up to this for one-typo prefix matching; longer queries are
compared with whole keys."""
SEPARATOR = "\x00"
FIRST_KEYS = "abcdefghijklmnopqrstuvwxyz0123456789"
"""Every search starts with one of these and matches a large part of the mall: their matches
are worked out when the index is built, so the first keystroke is as quick as the rest."""
ORDER_MASK = (1 << 24) - 1
KIND_SHIFT = 24
KIND_MASK = 7
CLOSED_SHIFT = 27
TIER_SHIFT = 28
NAME_BITS = 24
"""A match packs into one int, high bits first: tier, closed, kind, key length; the store's
place in name order goes below it when ranking."""


class Tier(IntEnum):
    """How well a store matched, best first."""

    EXACT = 0
    PREFIX = 1
    WORD_START = 2
    CONTAINS = 3
    SOUNDS_LIKE = 4
    RELATED = 5
    ONE_TYPO = 6


class KeyKind(IntEnum):
    """What a key is, in the order a tie is broken (a name beats a keyword)."""

    NAME = 0
    UNIT = 1
    PINYIN = 2
    INITIALS = 3
    KEYWORD = 4
    CATEGORY = 5


TIER_OF_CODE = tuple(Tier)
KIND_OF_CODE = tuple(KeyKind)
"""Tier and kind from the bits of a match code by indexing: an Enum call costs a microsecond,
and a one-letter query ranks a thousand stores."""
NAME_MASK = (1 << NAME_BITS) - 1


class SearchHit(NamedTuple):
    """One store found (a named tuple: a one-letter query makes a thousand of them)."""

    store: Store
    tier: Tier
    kind: KeyKind
    matched: str
    """The folded key that matched (for operators checking their content)."""
    is_open: bool | None
    """None when the search was not given the time."""


class _TypoTable(NamedTuple):
    """The cut key texts of one length, for one-typo matching."""

    texts: list[str]
    """Sorted."""
    entries: list[tuple[tuple[int, int, str], ...]]
    """Per text: (store, match code, key) of the keys it was cut from."""
    backwards: list[str]
    """Every text reversed, sorted: the texts that end with a given tail are one range."""
    backward_rows: list[int]
    """Per reversed text, its row in `texts`."""


_Entry = tuple[int, KeyKind, int, str]
"""What ranking needs of a key: (store, key kind, key length, key)."""


@dataclass(frozen=True)
class _Key:
    store_index: int
    kind: KeyKind
    text: str
    word_starts: frozenset[int]
    """Offsets within `text` where a word or pinyin syllable begins (0 excluded)."""


def _code(tier: Tier, kind: KeyKind, order: int) -> int:
    """A match as one int: tier, kind, then key length (or unit order); see TIER_SHIFT."""
    return (tier << TIER_SHIFT) | (kind << KIND_SHIFT) | min(order, ORDER_MASK)


def fold(text: str) -> str:
    """Lower-case letters and digits only, accents dropped: "Croissant & Co." → "croissantco",
    "Café" → "cafe", "xīngbākè" → "xingbake", "３Ｆ" → "3f"."""
    text = unicodedata.normalize("NFKD", text or "").casefold()
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def _words(text: str) -> list[str]:
    """Folded words of a Latin name: "Kam's Clay Pot" → ["kams", "clay", "pot"]."""
    return [w for w in (fold(part) for part in re.split(r"[\s\-_/&+·,.()]+", text or "")) if w]


HAN_RUNS = re.compile("[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")
"""Runs of Chinese characters and runs of anything else."""


def has_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def pinyin_syllables(text: str) -> list[str]:
    """Folded pinyin of each character ("星巴克" → xing ba ke); other runs folded as they are."""
    syllables = []
    for item in lazy_pinyin(text, errors="default"):
        syllables.extend(_words(item) if not has_han(item) else [fold(item)])
    return [s for s in syllables if s]


PINYIN_SYLLABLE = re.compile(
    "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    "(?:iang|iong|uang|ueng|ang|eng|ing|ong|iao|ian|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn|ia|ie|iu|ua|uo"
    "|ui|ve|ue|er|a|o|e|i|u|v)")
"""One toneless pinyin syllable (ü typed as v, as pinyin keyboards do)."""
_LETTERS_OR_DIGITS = re.compile("[a-z]+|[0-9]+")


def without_tone_digits(folded: str) -> str | None:
    """"yun2duo3" → "yunduo": a folded query of pinyin syllables each followed by its tone digit
    (1–5; the last syllable may still be being typed), without the digits. None for anything
    else, so unit numbers stay as typed ("l312", "3f12", "b1f01" are not pinyin)."""
    parts = _LETTERS_OR_DIGITS.findall(folded)
    if len(parts) < 2 or "".join(parts) != folded or not parts[0].isalpha():
        return None
    letters = []
    for number, part in enumerate(parts):
        if part.isalpha():
            letters.append(part)
            continue
        if len(part) != 1 or part not in "12345" or not PINYIN_SYLLABLE.fullmatch(parts[number - 1]):
            return None
    toneless = "".join(letters)
    return toneless if len(toneless) >= 2 else None


def pinyin_initials(text: str) -> str:
    """"星巴克" → "xbk"; Latin runs keep their first letters ("歌乐汇KTV" → "glhk")."""
    return "".join(s[0] for s in pinyin_syllables(text))


def browse_letter(store: Store, language: str) -> str:
    """The A–Z group of a store: its English name's first letter, or its Chinese name's pinyin
    initial; "#" for names that start with a digit or a symbol."""
    name = store.name.get(language)
    first = pinyin_initials(name)[:1] if has_han(name[:1]) else fold(name)[:1]
    return first.upper() if first and first.isascii() and first.isalpha() else "#"


# ---------------------------------------------------------------- unit numbers
def unit_aliases(unit: str, level_short_name: str) -> set[str]:
    """The folded ways a visitor may type a unit: "3F-12" → 3f12, 312, l312, f312, 3f-12 …;
    "B1-F01" → b1f01, b1f1; leading zeros of the number are optional."""
    folded_unit = fold(unit)
    level = fold(level_short_name)
    aliases = {folded_unit}
    rest = folded_unit[len(level):] if level and folded_unit.startswith(level) else folded_unit
    floor_digits = "".join(ch for ch in level if ch.isdigit())
    basement = level.startswith("b")
    rests = {rest, re.sub(r"(?<![0-9])0+(?=[0-9])", "", rest)}
    for tail in rests:
        if not tail:
            continue
        aliases.add(level + tail)
        if floor_digits and not basement:
            aliases.update({floor_digits + tail, "l" + floor_digits + tail, "f" + floor_digits + tail,
                            floor_digits + "f" + tail})
    return {alias for alias in aliases if alias}


def unit_query(query: str) -> str:
    """A query folded the way unit aliases are: "3楼12号" → 3f12, "L3 12" → l312."""
    text = unicodedata.normalize("NFKC", query).casefold()
    text = re.sub(r"[号號室铺鋪]", "", text).replace("floor", "f")
    return fold(re.sub(r"[楼樓层層]", "f", text))


# ---------------------------------------------------------------- the index
class StoreSearch:
    """The search index over one content version's stores."""

    def __init__(self, index: ContentIndex):
        self.index = index
        self.stores: list[Store] = list(index.stores)
        self._keys: list[_Key] = []
        self._pinyin_memo: dict[str, list[str]] = {}
        self._category_memo: dict[str, list[list[str]]] = {}
        for position, store in enumerate(self.stores):
            self._add_store_keys(position, store)
        self._haystack, self._starts = self._join(self._keys)
        self._keys_word_starts = {key.text: key.word_starts for key in self._keys if key.kind == KeyKind.PINYIN}
        self._build_word_starts()
        self._build_units()
        self._build_fuzzy()
        self._first_keys: dict[str, dict[int, tuple[int, str]]] = {
            key: self._matches(key, key) for key in FIRST_KEYS
        }
        order = sorted(range(len(self.stores)), key=lambda p: (fold(self._display_name(p)), self.stores[p].id))
        self._name_rank = [0] * len(self.stores)
        for rank, position in enumerate(order):
            self._name_rank[position] = rank
        self._position_by_rank = order
        hours_groups: dict[tuple, int] = {}
        self._hours_group = [
            hours_groups.setdefault(tuple((tuple(r.weekdays), r.open, r.close) for r in store.hours), len(hours_groups))
            for store in self.stores
        ]
        self._position_of = {store.id: position for position, store in enumerate(self.stores)}
        self._group_example = {group: position for position, group in enumerate(self._hours_group)}
        self._first_hits = {key: {position: self._hit_variants(position, code, text)
                                  for position, (code, text) in best.items()}
                            for key, best in self._first_keys.items()}
        """The hits of the first keys made in advance, closed, open and unknown: a first letter
        finds a large part of the mall, and making a thousand hits costs more than ranking them."""
        self._open_minute: datetime | None = None
        self._open_by_group: dict[int, bool] = {}
        self._open_by_position: list[bool] = []
        self._closed_key: list[int] = []
        """Per store, the bit that sorts a closed store after the open ones of its tier (0 when
        open), already shifted into place: refreshed once a minute, not per hit."""

    def _display_name(self, position: int) -> str:
        name = self.stores[position].name
        return name.en or name.zh_CN

    # -- building
    def _syllables(self, text: str) -> list[str]:
        if text not in self._pinyin_memo:
            self._pinyin_memo[text] = pinyin_syllables(text)
        return self._pinyin_memo[text]

    def _add(self, position: int, kind: KeyKind, text: str, word_starts: Iterable[int] = ()) -> None:
        if text:
            self._keys.append(_Key(position, kind, text, frozenset(s for s in word_starts if 0 < s < len(text))))

    def _add_parts(self, position: int, kind: KeyKind, parts: list[str]) -> None:
        """A key made of words or syllables, with the start of each recorded."""
        starts, offset = [], 0
        for part in parts:
            starts.append(offset)
            offset += len(part)
        self._add(position, kind, "".join(parts), starts)

    def _add_store_keys(self, position: int, store: Store) -> None:
        pinyins: set[str] = set()
        for language in LANGUAGES:
            name = getattr(store.name, language, "") or ""
            if not name:
                continue
            self._add_parts(position, KeyKind.NAME, _words(name))
            if has_han(name):
                syllables = self._syllables(name)
                if "".join(syllables) not in pinyins:
                    pinyins.add("".join(syllables))
                    self._add_parts(position, KeyKind.PINYIN, syllables)
                    self._add(position, KeyKind.INITIALS, "".join(s[0] for s in syllables))
        for keyword in store.keywords:
            self._add_parts(position, KeyKind.KEYWORD, _words(keyword))
            if has_han(keyword):
                self._add_parts(position, KeyKind.KEYWORD, self._syllables(keyword))
        for words in self._category_words(store.category_id):
            self._add_parts(position, KeyKind.CATEGORY, words)

    def _category_words(self, category_id: str) -> list[list[str]]:
        """The words of a category's names, folded once per category, not once per store."""
        if category_id not in self._category_memo:
            category = self.index.category(category_id)
            self._category_memo[category_id] = [] if category is None else [
                _words(getattr(category.name, language, "") or "") for language in LANGUAGES]
        return self._category_memo[category_id]

    @staticmethod
    def _join(keys: list[_Key]) -> tuple[str, list[int]]:
        starts, offset = [], 0
        for key in keys:
            starts.append(offset)
            offset += len(key.text) + 1
        return SEPARATOR.join(key.text for key in keys), starts

    def _build_word_starts(self) -> None:
        """Every key from its start, and from each later word start, sorted: a prefix query is
        one bisect in each list. Entries carry what ranking needs, to keep the loop short."""
        heads: list[tuple[str, int, _Entry]] = []
        inner: list[tuple[str, int, _Entry]] = []
        for key in self._keys:
            entry = (key.store_index, key.kind, len(key.text), key.text)
            heads.append((key.text, 0, entry))
            inner.extend((key.text[offset:], offset, entry) for offset in key.word_starts)
        heads.sort()
        inner.sort()
        self._heads = [text for text, _, _ in heads]
        self._head_entries = [entry for _, _, entry in heads]
        self._inner = [text for text, _, _ in inner]
        self._inner_entries = [(offset, entry) for _, offset, entry in inner]
        # The same entries with their match codes worked out: (store, code when the query is
        # the whole key, code when it is a prefix, key length, key) for heads; (store, code,
        # key) for word starts inside keys.
        self._head_codes = []
        for store_index, kind, key_length, text in self._head_entries:
            if kind == KeyKind.CATEGORY or kind == KeyKind.KEYWORD:
                exact = Tier.WORD_START if kind == KeyKind.KEYWORD else Tier.RELATED
                prefix = Tier.RELATED
            else:
                exact, prefix = Tier.EXACT, Tier.PREFIX
            self._head_codes.append((store_index, _code(exact, kind, key_length), _code(prefix, kind, key_length),
                                     key_length, text))
        self._inner_codes = [
            (store_index, _code(Tier.WORD_START if kind < KeyKind.KEYWORD else Tier.RELATED, kind, key_length), text)
            for _, (store_index, kind, key_length, text) in self._inner_entries
        ]

    def _build_units(self) -> None:
        self._folded_units = [fold(store.unit) for store in self.stores]
        by_unit = sorted(range(len(self.stores)), key=lambda position: self._folded_units[position])
        self._unit_rank = {position: rank for rank, position in enumerate(by_unit)}
        self._units: dict[str, list[int]] = {}
        for position, store in enumerate(self.stores):
            level = self.index.level(store.level_id)
            for alias in unit_aliases(store.unit, level.short_name if level else ""):
                self._units.setdefault(alias, []).append(position)
        self._unit_aliases = sorted(self._units)

    def _build_fuzzy(self) -> None:
        """Latin keys that may carry a typo, from every word or syllable start, cut to each
        length: the lists rapidfuzz scans for one-typo prefix matches."""
        suffixes: dict[str, set[int]] = {}
        self._typo_memo: dict[frozenset[int], tuple[tuple[int, int, str], ...]] = {}
        for number, key in enumerate(self._keys):
            if key.kind in (KeyKind.INITIALS, KeyKind.CATEGORY) or not key.text.isascii():
                continue
            for offset in (0, *key.word_starts):
                if len(key.text) - offset >= MIN_FUZZY_LETTERS - 1:
                    suffixes.setdefault(key.text[offset:], set()).add(number)
        cut: dict[int, dict[str, set[int]]] = {}
        whole: dict[int, dict[str, set[int]]] = {}
        for suffix, numbers in suffixes.items():
            for length in range(MIN_FUZZY_LETTERS - 1, min(len(suffix), MAX_PREFIX_FUZZY + 1) + 1):
                cut.setdefault(length, {}).setdefault(suffix[:length], set()).update(numbers)
            if len(suffix) > MAX_PREFIX_FUZZY:
                whole.setdefault(len(suffix), {}).setdefault(suffix, set()).update(numbers)
        self._fuzzy_by_length = {length: self._typo_table(table) for length, table in cut.items()}
        self._whole_by_length = {length: self._typo_table(table) for length, table in whole.items()}

    def _typo_table(self, table: dict[str, set[int]]) -> _TypoTable:
        texts = sorted(table)
        backwards = sorted((text[::-1], row) for row, text in enumerate(texts))
        return _TypoTable(texts, [self._typo_entries(table[text]) for text in texts],
                          [text for text, _ in backwards], [row for _, row in backwards])

    def _typo_entries(self, numbers: set[int]) -> tuple[tuple[int, int, str], ...]:
        """(store, one-typo match code, key) for the keys behind one cut text, the best key of
        each store only: the loop over rapidfuzz's results does no more than compare ints.
        Cuts of one key at every length share their entries (memoised by key numbers)."""
        frozen = frozenset(numbers)
        entries = self._typo_memo.get(frozen)
        if entries is None:
            chosen: dict[int, tuple[int, str]] = {}
            for number in sorted(frozen):
                key = self._keys[number]
                code = _code(Tier.ONE_TYPO, key.kind, len(key.text))
                if key.store_index not in chosen or code < chosen[key.store_index][0]:
                    chosen[key.store_index] = (code, key.text)
            entries = self._typo_memo[frozen] = tuple(
                (store_index, code, text) for store_index, (code, text) in chosen.items())
        return entries

    # -- searching
    def search(self, query: str, now: datetime | None = None, limit: int | None = None) -> list[SearchHit]:
        """Stores matching `query`, best first; [] for a query with no letters or digits."""
        query = (query or "")[:MAX_QUERY_CHARS]
        folded = fold(query)
        if not folded:
            return []
        best = self._first_keys.get(folded)
        if best is not None:
            return self._ranked(best, now, limit, self._first_hits[folded])
        best = self._matches_any_form(query, folded)
        if not self._has_close_match(best):
            narrowed = self._match_each_word(query)
            if narrowed:
                best = narrowed
            elif not best and has_han(query) and not folded.isascii():
                best = self._match_each_script(query)
        return self._ranked(best, now, limit)

    def _matches_any_form(self, query: str, folded: str) -> dict[int, tuple[int, str]]:
        """The matches of the query as typed and, when it is pinyin with tone digits, without them."""
        best = self._first_keys.get(folded)
        best = dict(best) if best is not None else self._matches(query, folded)
        toneless = without_tone_digits(folded)
        if toneless:
            for position, match in (self._first_keys.get(toneless) or self._matches(toneless, toneless)).items():
                if position not in best or match[0] < best[position][0]:
                    best[position] = match
        return best

    @staticmethod
    def _has_close_match(best: dict[int, tuple[int, str]]) -> bool:
        """Whether anything matched better than with a typo."""
        return any(code >> TIER_SHIFT < Tier.ONE_TYPO for code, _ in best.values())

    def _match_each_word(self, query: str) -> dict[int, tuple[int, str]]:
        """A query of several words that no key holds whole ("coffee cloud"): the stores that
        every word finds, each ranked by its weakest word. A word that finds nothing at all does
        not empty the list (a visitor's "please" or a word we lack); one in two scripts must
        find a store with each of its parts ("Cloud咖啡")."""
        words = list(dict.fromkeys(word for word in query.split() if fold(word)))
        if not 2 <= len(words) <= MAX_QUERY_WORDS:
            return {}
        found: dict[int, tuple[int, str]] | None = None
        for word in words:
            matches = self._matches_any_form(word, fold(word))
            if not matches and has_han(word) and not fold(word).isascii():
                matches = self._match_each_script(word)
            if not matches:
                continue
            if found is None:
                found = matches
            else:
                found = {position: max(found[position], matches[position])
                         for position in found if position in matches}
            if not found:
                return {}
        return found or {}

    def _match_each_script(self, query: str) -> dict[int, tuple[int, str]]:
        """A query in two scripts that no key holds as a whole ("Cloud咖啡", "3F咖啡"): the
        stores that each run of Chinese and of other text finds, ranked by their weaker match."""
        runs = {fold(run): run for run in HAN_RUNS.findall(query)}
        runs.pop("", None)
        if len(runs) > MAX_SCRIPT_RUNS:
            return {}
        found: dict[int, tuple[int, str]] | None = None
        for folded, run in runs.items():
            matches = self._first_keys.get(folded) or self._matches(run, folded)
            if found is None:
                found = dict(matches)
            else:
                found = {position: max(found[position], matches[position])
                         for position in found if position in matches}
            if not found:
                return {}
        return found or {}

    def _matches(self, query: str, folded: str) -> dict[int, tuple[int, str]]:
        """Store position → (match code, matched key) for every store the query finds."""
        best: dict[int, tuple[int, str]] = {}
        self._match_text(folded, best)
        if any(ch.isdigit() for ch in folded):
            self._match_units(unit_query(query), best)
        if has_han(query):
            self._match_sounds_like(query, best)
        letters = sum(ch.isalpha() for ch in folded)
        if folded.isascii() and letters >= MIN_FUZZY_LETTERS and len(best) < FUZZY_UNTIL_RESULTS:
            self._match_one_typo(folded, best)
        return best

    @staticmethod
    def _offer(best: dict, position: int, tier: Tier, kind: KeyKind, order: int, text: str) -> None:
        """Keep the store's best match: one int orders tier, then kind, then key length (or
        unit order), so the hot loops compare ints rather than tuples."""
        code = _code(tier, kind, order)
        current = best.get(position)
        if current is None or code < current[0]:
            best[position] = (code, text)

    def _match_text(self, folded: str, best: dict) -> None:
        """Prefix matches, then word-start and inside matches. One or two Latin letters are the
        start of typing: they match only the start of a name, its pinyin or its initials (inside
        words they would match most of the mall)."""
        offer, length = self._offer, len(folded)
        short_latin = folded.isascii() and length < MIN_INNER_LETTERS
        get = best.get  # the hot loops keep a store's best code inline, not through _offer
        low = bisect.bisect_left(self._heads, folded)
        high = bisect.bisect_left(self._heads, folded + "\U0010ffff", low)
        for store_index, exact_code, prefix_code, key_length, text in self._head_codes[low:high]:
            code = exact_code if key_length == length else prefix_code
            current = get(store_index)
            if current is None or code < current[0]:
                best[store_index] = (code, text)
        if short_latin:
            return
        low = bisect.bisect_left(self._inner, folded)
        high = bisect.bisect_left(self._inner, folded + "\U0010ffff", low)
        for store_index, code, text in self._inner_codes[low:high]:
            current = get(store_index)
            if current is None or code < current[0]:
                best[store_index] = (code, text)
        keys, starts, find = self._keys, self._starts, self._haystack.find
        position = find(folded)
        while position >= 0:
            number = bisect.bisect_right(starts, position) - 1
            offset = position - starts[number]
            key = keys[number]
            if offset and offset not in key.word_starts and key.kind != KeyKind.CATEGORY:
                tier = Tier.CONTAINS if key.kind != KeyKind.KEYWORD else Tier.RELATED
                offer(best, key.store_index, tier, key.kind, len(key.text), key.text)
            position = find(folded, position + 1)

    def _match_units(self, folded_unit: str, best: dict) -> None:
        if not folded_unit:
            return
        units, offer = self._folded_units, self._offer
        for position in self._units.get(folded_unit, ()):
            offer(best, position, Tier.EXACT, KeyKind.UNIT, self._unit_rank[position], units[position])
        aliases = self._unit_aliases
        start = bisect.bisect_right(aliases, folded_unit)
        while start < len(aliases) and aliases[start].startswith(folded_unit):
            for position in self._units[aliases[start]]:
                offer(best, position, Tier.PREFIX, KeyKind.UNIT, self._unit_rank[position], units[position])
            start += 1

    def _match_sounds_like(self, query: str, best: dict) -> None:
        """A Chinese query whose pinyin is whole syllables of a name's: 雲朵 or 云多 still
        finds 云朵咖啡."""
        sounds = "".join(pinyin_syllables(query))
        if not sounds:
            return
        end = len(sounds)
        low = bisect.bisect_left(self._heads, sounds)
        high = bisect.bisect_left(self._heads, sounds + "\U0010ffff", low)
        found = [(0, entry) for entry in self._head_entries[low:high]]
        low = bisect.bisect_left(self._inner, sounds)
        high = bisect.bisect_left(self._inner, sounds + "\U0010ffff", low)
        found += self._inner_entries[low:high]
        for offset, (store_index, kind, key_length, text) in found:
            if kind != KeyKind.PINYIN:
                continue
            if offset + end == key_length or offset + end in self._keys_word_starts[text]:
                self._offer(best, store_index, Tier.SOUNDS_LIKE, kind, key_length, text)

    def _match_one_typo(self, folded: str, best: dict) -> None:
        """Keys cut to the query's length (±1) at most one edit away (OSA: a swap of two
        neighbours is one edit). One edit leaves either the first half of the query or all of
        it after the middle letter untouched, so only the texts that start with the one or end
        with the other are compared, found by bisection in the table sorted forwards and
        backwards: a few hundred comparisons rather than every text."""
        length, get = len(folded), best.get
        tables = self._fuzzy_by_length if length <= MAX_PREFIX_FUZZY else self._whole_by_length
        half = length // 2
        head, tail = folded[:half], folded[half + 1:][::-1]
        for table_length in (length - 1, length, length + 1):
            table = tables.get(table_length)
            if table is None:
                continue
            texts, backwards = table.texts, table.backwards
            low = bisect.bisect_left(texts, head)
            rows = set(range(low, bisect.bisect_left(texts, head + "\U0010ffff", low)))
            low = bisect.bisect_left(backwards, tail)
            rows.update(table.backward_rows[low:bisect.bisect_left(backwards, tail + "\U0010ffff", low)])
            if not rows:
                continue
            ordered = sorted(rows)
            candidates = [texts[row] for row in ordered]
            for _, _, number in process.extract(folded, candidates, scorer=OSA.distance, score_cutoff=1, limit=None):
                for store_index, code, text in table.entries[ordered[number]]:
                    current = get(store_index)
                    if current is None or code < current[0]:
                        best[store_index] = (code, text)

    def _hit_variants(self, position: int, code: int, text: str) -> tuple[SearchHit, SearchHit, SearchHit]:
        """The hit of a store, as (closed, open, open state unknown)."""
        store = self.stores[position]
        tier, kind = TIER_OF_CODE[code >> TIER_SHIFT], KIND_OF_CODE[(code >> KIND_SHIFT) & KIND_MASK]
        return (SearchHit(store, tier, kind, text, False), SearchHit(store, tier, kind, text, True),
                SearchHit(store, tier, kind, text, None))

    def _ranked(self, best: dict, now: datetime | None, limit: int | None,
                made: dict[int, tuple[SearchHit, SearchHit, SearchHit]] | None = None) -> list[SearchHit]:
        """Best first. Each hit packs into one int — its match code (tier, closed, kind, key
        length) above its place in name order — so ranking is a sort of ints, and the place in
        name order leads back to the store. `made`: the hits made in advance (first keys)."""
        name_rank = self._name_rank
        if now is None:
            keyed = [(code << NAME_BITS) | name_rank[position] for position, (code, _) in best.items()]
            open_flags = None
        else:
            self._refresh_open(now)
            closed, open_flags = self._closed_key, self._open_by_position
            keyed = [((code << NAME_BITS) | closed[position]) | name_rank[position]
                     for position, (code, _) in best.items()]
        keyed.sort()
        if limit:
            del keyed[limit:]
        by_rank = self._position_by_rank
        if made is not None:
            if open_flags is None:
                return [made[by_rank[key & NAME_MASK]][2] for key in keyed]
            return [made[position][open_flags[position]] for position in (by_rank[key & NAME_MASK] for key in keyed)]
        stores, tiers, kinds = self.stores, TIER_OF_CODE, KIND_OF_CODE
        hits: list[SearchHit] = []
        append = hits.append
        for key in keyed:
            position = by_rank[key & NAME_MASK]
            code, text = best[position]
            append(SearchHit(stores[position], tiers[code >> TIER_SHIFT], kinds[(code >> KIND_SHIFT) & KIND_MASK],
                             text, None if open_flags is None else open_flags[position]))
        return hits

    def is_open(self, store: Store, now: datetime) -> bool:
        """Whether `store` is open at `now`, from the per-minute cache the ranking uses."""
        self._refresh_open(now)
        position = self._position_of.get(store.id)
        if position is None:
            return self.index.is_open(store, now)
        return self._open_by_position[position]

    def _refresh_open(self, now: datetime) -> None:
        """Open or closed, per set of opening hours (most stores share the mall's), each minute."""
        minute = now.replace(second=0, microsecond=0)
        if minute == self._open_minute:
            return
        self._open_minute = minute
        self._open_by_group = {
            group: self.index.is_open(self.stores[position], now)
            for group, position in self._group_example.items()
        }
        self._open_by_position = [self._open_by_group[group] for group in self._hours_group]
        closed_key = 1 << (CLOSED_SHIFT + NAME_BITS)
        self._closed_key = [0 if is_open else closed_key for is_open in self._open_by_position]


_SEARCH_CACHE: dict[int, StoreSearch] = {}
_SEARCH_CACHE_LOCK = threading.Lock()


def search_for(index: ContentIndex) -> StoreSearch:
    """The search index of `index`, built on first use and kept while that index lives. The
    lock lets a keystroke wait for a build already under way (kiosk.warmup) instead of
    starting a second one."""
    with _SEARCH_CACHE_LOCK:
        search = _SEARCH_CACHE.get(id(index))
        if search is None or search.index is not index:
            _SEARCH_CACHE.clear()
            search = _SEARCH_CACHE[id(index)] = StoreSearch(index)
        return search
