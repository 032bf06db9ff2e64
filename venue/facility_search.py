"""Finding facilities as the visitor types (a toilet, the lift, an ATM, the service desk), and
the nearest one from the kiosk.

A facility is found by its kind's words in every visitor language, read from the
`search_words` catalog in venue/locale (厕所, 廁所, "WC", "baby room", 取款机 …: one list per
language of `venue.languages.TABLE`, whatever language the screen shows), and by its own name:
characters, full pinyin (tone digits allowed: xi3shou3jian1), pinyin initials, English words in
any order. Facilities of one kind that share a name (a 洗手间（西） on every floor) are one
result, since the visitor wants the nearest of them; a kind's word gives one result for the
kind, listed before a name that matches as well (母婴室 is a kind and the name of most of them:
any nursing room will do). `FacilitySearch.nearest` answers a query with the nearest facility along the path graph
(`venue.routing`: the quickest route, its length in metres), under the visitor's route profile (a wheelchair user
asking for a toilet is sent to an accessible one).

A mall has tens of facilities, so the keys are few (a few hundred with the words): they are
matched by bisection and `str.find` over the keys joined, as the store search does, and the
index is built once per content version. No Kivy, no Django.
"""
from __future__ import annotations

import bisect
import logging
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, get_args

from rapidfuzz import process
from rapidfuzz.distance import OSA

from sync.protocol import Facility, FacilityKind, I18nText, MallContent
from venue.i18n import LOCALE_DIR, load_catalog
from venue.index import ContentIndex
from venue.languages import TABLE
from venue.routing.route import Route
from venue.routing.router import NEAREST_KINDS, router_for
from venue.search import (
    MAX_QUERY_CHARS,
    MIN_FUZZY_LETTERS,
    MIN_INNER_LETTERS,
    SEPARATOR,
    KeyKind,
    Tier,
    _words,
    fold,
    has_han,
    pinyin_syllables,
    without_tone_digits,
)

log = logging.getLogger(__name__)

SEARCH_WORDS_DOMAIN = "search_words"
WORD_SEPARATOR = "|"
FACILITY_KINDS: tuple[str, ...] = get_args(FacilityKind)


@lru_cache(maxsize=1)
def search_words() -> dict[str, tuple[str, ...]]:
    """Facility kind → the words visitors search it by, in every language of the table."""
    words: dict[str, list[str]] = {kind: [] for kind in FACILITY_KINDS}
    for language in TABLE:
        catalog = load_catalog(LOCALE_DIR, language.code, SEARCH_WORDS_DOMAIN)
        if catalog is None:
            log.error("no %s catalog for %s: its facility words are not searched", SEARCH_WORDS_DOMAIN, language.code)
            continue
        for kind in FACILITY_KINDS:
            listed = catalog.gettext(kind)
            if listed != kind:
                words[kind].extend(word.strip() for word in listed.split(WORD_SEPARATOR) if word.strip())
    return {kind: tuple(dict.fromkeys(found)) for kind, found in words.items()}


class FacilityHit(NamedTuple):
    """One result: a kind found by its words, or the facilities sharing the name that matched."""

    kind: str
    name: I18nText | None
    """The facilities' shared name; None when the kind's word matched."""
    facilities: tuple[Facility, ...]
    tier: Tier
    matched: str
    """The folded key that matched."""


@dataclass(frozen=True)
class NearestFacility:
    facility: Facility
    metres: float
    route: Route


@dataclass(frozen=True)
class _Target:
    kind: str
    name: I18nText | None
    facilities: tuple[Facility, ...]


@dataclass(frozen=True)
class _Key:
    target: int
    kind: KeyKind
    text: str
    words: tuple[str, ...]


class FacilitySearch:
    """The search index over one content version's facilities."""

    def __init__(self, index: ContentIndex):
        self.index = index
        self.content: MallContent = index.content
        self._targets: list[_Target] = []
        self._keys: list[_Key] = []
        by_kind: dict[str, list[Facility]] = {}
        by_name: dict[tuple, list[Facility]] = {}
        for facility in self.content.facilities:
            by_kind.setdefault(facility.kind, []).append(facility)
            by_name.setdefault((facility.kind, *(getattr(facility.name, code) for code in _CODES)), []).append(facility)
        words = search_words()
        for kind, facilities in by_kind.items():
            number = self._target(_Target(kind, None, tuple(facilities)))
            for word in words.get(kind, ()):
                self._add_text(number, KeyKind.KEYWORD, word)
        for (kind, *_), facilities in by_name.items():
            number = self._target(_Target(kind, facilities[0].name, tuple(facilities)))
            for code in _CODES:
                self._add_text(number, KeyKind.NAME, getattr(facilities[0].name, code) or "")
        self._keys.sort(key=lambda key: key.text)
        self._texts = [key.text for key in self._keys]
        self._haystack = SEPARATOR.join(self._texts)
        self._starts = [0]
        for text in self._texts[:-1]:
            self._starts.append(self._starts[-1] + len(text) + 1)
        word_entries = sorted((word, number) for number, key in enumerate(self._keys) for word in key.words)
        self._key_words = [word for word, _ in word_entries]
        self._key_word_owners = [number for _, number in word_entries]
        keywords = [(number, key) for number, key in enumerate(self._keys) if key.kind == KeyKind.KEYWORD]
        self._chinese_phrases = [(number, key.text) for number, key in keywords
                                 if has_han(key.text) and len(key.text) >= 2]
        self._word_phrases = [(number, f" {' '.join(key.words)} ") for number, key in keywords
                              if key.words and not has_han(key.text)]
        """The kinds' words a sentence may hold ("最近的厕所在哪", "where is the toilet")."""
        self._typo_texts = [(number, text) for number, text in enumerate(self._texts)
                            if text.isascii() and len(text) >= MIN_FUZZY_LETTERS - 1]
        self._typo_wholes = [text for _, text in self._typo_texts]
        self._typo_cuts: dict[int, list[str]] = {}

    def _target(self, target: _Target) -> int:
        self._targets.append(target)
        return len(self._targets) - 1

    def _add_text(self, target: int, kind: KeyKind, text: str) -> None:
        """A name or word under its folded text, its full pinyin and its pinyin initials."""
        if not fold(text):
            return
        self._keys.append(_Key(target, kind, fold(text), tuple(_words(text))))
        if has_han(text):
            syllables = pinyin_syllables(text)
            pinyin_kind = KeyKind.PINYIN if kind == KeyKind.NAME else kind
            self._keys.append(_Key(target, pinyin_kind, "".join(syllables), tuple(syllables)))
            if len(syllables) >= 2:
                initials_kind = KeyKind.INITIALS if kind == KeyKind.NAME else kind
                self._keys.append(_Key(target, initials_kind, "".join(s[0] for s in syllables), ()))

    # -- searching
    def search(self, query: str, limit: int | None = None) -> list[FacilityHit]:
        """Kinds and named facilities matching `query`, best first; [] when nothing matches."""
        query = (query or "")[:MAX_QUERY_CHARS]
        folded = fold(query)
        if not folded:
            return []
        best: dict[int, tuple[int, int, str]] = {}
        for form in dict.fromkeys((folded, without_tone_digits(folded))):
            if form:
                self._match_text(form, best)
        words = [fold(word) for word in query.split() if fold(word)]
        if len(words) > 1:
            self._match_words(words, best)
        self._match_phrases(query, folded, words, best)
        if has_han(query):
            sounds = "".join(pinyin_syllables(query))
            if sounds and sounds != folded:
                self._match_text(sounds, best, tier_floor=Tier.SOUNDS_LIKE)
        if not best and folded.isascii() and sum(ch.isalpha() for ch in folded) >= MIN_FUZZY_LETTERS:
            self._match_one_typo(folded, best)
        ranked = sorted(best.items(), key=lambda item: (item[1][0], self._targets[item[0]].name is not None,
                                                        item[1][1], self._targets[item[0]].kind, item[0]))
        hits = [FacilityHit(target.kind, target.name, target.facilities, Tier(tier), text)
                for target, (tier, _, text) in ((self._targets[number], match) for number, match in ranked)]
        return hits[:limit] if limit else hits

    def _offer(self, best: dict, number: int, tier: Tier, text: str) -> None:
        key = self._keys[number]
        match = (int(tier), int(key.kind), text)
        current = best.get(key.target)
        if current is None or match < current:
            best[key.target] = match

    def _match_text(self, folded: str, best: dict, tier_floor: Tier = Tier.EXACT) -> None:
        """The query as the start of a key, the whole key, or (three letters or more, or Chinese)
        inside a key."""
        texts = self._texts
        low = bisect.bisect_left(texts, folded)
        high = bisect.bisect_left(texts, folded + "\U0010ffff", low)
        for number in range(low, high):
            tier = Tier.EXACT if texts[number] == folded else Tier.PREFIX
            self._offer(best, number, max(tier, tier_floor), texts[number])
        if folded.isascii() and len(folded) < MIN_INNER_LETTERS:
            return
        position = self._haystack.find(folded)
        while position >= 0:
            number = bisect.bisect_right(self._starts, position) - 1
            if position != self._starts[number]:
                self._offer(best, number, max(Tier.CONTAINS, tier_floor), texts[number])
            position = self._haystack.find(folded, position + 1)

    def _match_words(self, words: list[str], best: dict) -> None:
        """Several words in any order, each the start of a word of one key ("pay parking")."""
        common: set[int] | None = None
        for word in words:
            low = bisect.bisect_left(self._key_words, word)
            high = bisect.bisect_left(self._key_words, word + "\U0010ffff", low)
            owners = set(self._key_word_owners[low:high])
            common = owners if common is None else common & owners
            if not common:
                return
        for number in common or ():
            self._offer(best, number, Tier.WORD_START, self._texts[number])

    def _match_phrases(self, query: str, folded: str, words: list[str], best: dict) -> None:
        """A kind's word inside a longer query: Chinese by its characters ("最近的厕所"), other
        languages by whole words ("where is the toilet")."""
        if has_han(query):
            for number, text in self._chinese_phrases:
                if text in folded and text != folded:
                    self._offer(best, number, Tier.RELATED, text)
        if len(words) > 1:
            spaced = f" {' '.join(words)} "
            for number, phrase in self._word_phrases:
                if phrase in spaced:
                    self._offer(best, number, Tier.RELATED, self._texts[number])

    def _match_one_typo(self, folded: str, best: dict) -> None:
        """Keys, whole or cut to the query's length, one edit away from the query (rapidfuzz
        compares them all in one call each)."""
        length = len(folded)
        cuts = self._typo_cuts.get(length)
        if cuts is None:
            cuts = self._typo_cuts[length] = [text[:length] for _, text in self._typo_texts]
        for candidates in (self._typo_wholes, cuts):
            for _, _, row in process.extract(folded, candidates, scorer=OSA.distance, score_cutoff=1, limit=None):
                number = self._typo_texts[row][0]
                self._offer(best, number, Tier.ONE_TYPO, self._texts[number])

    # -- the nearest one
    def nearest(self, query: str, kiosk_point_id: str, profile: str = "standard") -> NearestFacility | None:
        """The nearest facility the query's best result stands for, from the kiosk point; None
        when the query names no facility or none of them can be reached."""
        for hit in self.search(query, limit=1):
            if hit.name is None:
                return nearest_facility(self.content, kiosk_point_id, hit.kind, profile)
            return nearest_of(self.content, kiosk_point_id, hit.facilities, profile)
        return None


_CODES = tuple(language.code for language in TABLE)


def kinds_for(kind: str, profile: str) -> tuple[str, ...]:
    """The facility kinds that serve a visitor asking for `kind` under a route profile (the
    router's table: a wheelchair needs an accessible restroom)."""
    by_profile = NEAREST_KINDS.get(kind, {"*": (kind,)})
    return by_profile.get(profile) or by_profile.get("*") or (kind,)


def nearest_facility(content: MallContent, kiosk_point_id: str, kind: str,
                     profile: str = "standard") -> NearestFacility | None:
    """The nearest facility of `kind` from a kiosk point along the routes of `profile`."""
    kinds = kinds_for(kind, profile)
    return nearest_of(content, kiosk_point_id, [f for f in content.facilities if f.kind in kinds], profile)


def nearest_of(content: MallContent, kiosk_point_id: str, facilities: Iterable[Facility],
               profile: str = "standard") -> NearestFacility | None:
    """The one of `facilities` with the quickest route from the kiosk point (the router's walking
    time, which counts a lift's wait and a floor change: a toilet straight above is not "near"),
    and the route there; None when none is reachable. An unknown kiosk point or profile raises
    RoutingError."""
    router = router_for(content)
    origin = router.place(kiosk_point_id)
    graph = router.graph
    tree = graph.tree(graph.index[origin.node_id], router.profile(profile))
    reachable = []
    for facility in facilities:
        node = graph.index.get(facility.node_id)
        if node is not None and math.isfinite(tree.seconds[node]):
            reachable.append((tree.seconds[node], tree.metres[node], facility.id, facility))
    if not reachable:
        return None
    _, metres, _, facility = min(reachable, key=lambda entry: entry[:3])
    return NearestFacility(facility, metres, router.route(kiosk_point_id, facility.id, profile))


_SEARCH_CACHE: dict[int, FacilitySearch] = {}
_SEARCH_CACHE_LOCK = threading.Lock()


def facility_search_for(index: ContentIndex) -> FacilitySearch:
    """The facility index of `index`, built on first use and kept while that index lives."""
    with _SEARCH_CACHE_LOCK:
        search = _SEARCH_CACHE.get(id(index))
        if search is None or search.index is not index:
            _SEARCH_CACHE.clear()
            search = _SEARCH_CACHE[id(index)] = FacilitySearch(index)
        return search

