"""Input methods for the on-screen keyboard: typed keys become committed text.

Kivy's on-screen keyboard has no Chinese. `PinyinInput` keeps typed letters as a composition
(`xingbake`), splits it into syllables (full ones, or initials: `xbk`), and offers a ranked
strip of candidates to tap: first the mall's own words (store, category and facility names,
so `xbk` offers 星巴克 when the mall has one), then phrases for the whole composition, then
characters for its first syllable. Phrases and characters come from Pinyin2Hanzi's dictionary
(word frequencies, shipped with the package); for Traditional Chinese they are converted with
OpenCC's `s2tw`. A candidate may cover only the start of the composition: tapping it commits
that part and the rest stays to be chosen.

`ZhuyinInput` does the same for Zhuyin (注音, Bopomofo) as typed in Taiwan: the 37 symbols and
the tone marks compose syllables (ㄒㄧˇㄕㄡˇㄐㄧㄢ), each read as its pinyin through the reverse of
pypinyin's Bopomofo style, and the pinyin machinery above finds the candidates (Traditional
for zh_TW); a typed tone puts the words of that tone first.

No Kivy here: the keyboard widget (screens/widgets/keyboard.py) feeds keys in and shows
`composition` and `candidates`. The dictionaries load on first use, never on import: the
keyboard is built while the kiosk starts.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

MAX_COMPOSITION = 40
"""Letters kept while composing; a longer run is no word, and a stuck key costs nothing."""
MAX_CANDIDATES = 12
PHRASE_PATHS = 6
FULL_SYLLABLE_COST = 2
PARTIAL_SYLLABLE_COST = 3
"""Segmentation prefers full syllables: `xian` is 先, not x-i-an; `xbk` is three initials."""
MAX_SYLLABLE_LETTERS = 6
"""The longest pinyin syllable (zhuang)."""


class InputMethod:
    """Turns key presses into committed text. Subclasses may compose (pinyin → 汉字)."""

    composition: str = ""
    """Keys typed but not yet turned into text (shown in the candidate strip)."""
    candidates: list[str] = []
    """Choices for the composition, best first."""

    def press(self, key: str) -> str:
        """Handle one key; returns the text to commit now ("" while composing)."""
        return key

    def backspace(self) -> bool:
        """True when the input method used the backspace (to shorten its composition)."""
        return False

    def choose(self, index: int) -> str:
        """Commit candidate `index`; returns its text."""
        return ""

    def reset(self) -> None:
        """Drop any composition (the field lost focus, the form was cleared)."""

    def search_text(self) -> str:
        """The composition as a search reads it (pinyin letters: stores are found by pinyin)."""
        return self.composition


class DirectInput(InputMethod):
    """Every key commits itself: Latin letters, digits and punctuation."""


# ---------------------------------------------------------------- syllables
@lru_cache(maxsize=1)
def _syllable_table() -> tuple[frozenset[str], frozenset[str]]:
    """(every pinyin syllable, every non-empty prefix of one)."""
    from Pinyin2Hanzi import all_pinyin

    syllables = frozenset(all_pinyin())
    prefixes = frozenset(s[:end] for s in syllables for end in range(1, len(s) + 1))
    return syllables, prefixes


def cheapest_split(typed: str, longest: int, cost: Callable[[str], int | None],
                   trailing: Callable[[str, int], int] = lambda typed, end: 0) -> list[tuple[int, int, int]]:
    """The split of `typed` into pieces of at most `longest` symbols that costs least: `cost`
    prices a piece (None: no piece); a single symbol that is no piece costs twice a partial
    syllable, so nothing typed is ever left out. `trailing(typed, end)` is how many symbols
    after a piece belong to it (a Zhuyin tone mark). Each piece is (start, end, stop): its
    symbols are typed[start:end], with what trails up to `stop`."""
    length = len(typed)
    best: list[tuple[int, list[tuple[int, int, int]]] | None] = [None] * (length + 1)
    best[0] = (0, [])
    for start in range(length):
        reached = best[start]
        if reached is None:
            continue
        spent, pieces = reached
        for end in range(start + 1, min(length, start + longest) + 1):
            step = cost(typed[start:end])
            if step is None:
                if end != start + 1:
                    continue
                step = PARTIAL_SYLLABLE_COST * 2
            stop = end + trailing(typed, end)
            option = (spent + step, pieces + [(start, end, stop)])
            known = best[stop]
            if known is None or option[0] < known[0]:
                best[stop] = option
    found = best[length]
    assert found is not None, "one symbol at a time always reaches the end"
    return found[1]


def _syllable_cost(table: Collection[str], prefixes: Collection[str]) -> Callable[[str], int | None]:
    """Prices for cheapest_split: a whole syllable of `table`, the start of one, or no piece."""

    def cost(piece: str) -> int | None:
        if piece in table:
            return FULL_SYLLABLE_COST
        if piece in prefixes:
            return PARTIAL_SYLLABLE_COST
        return None

    return cost


def segment(letters: str) -> list[str]:
    """Split typed letters into syllables, full ones preferred, initials allowed:
    "xingbake" → xing ba ke, "xbk" → x b k, "xingb" → xing b. Letters that no syllable
    starts with ("v" alone, "i") stay as one-letter pieces."""
    split = cheapest_split(letters, MAX_SYLLABLE_LETTERS, _syllable_cost(*_syllable_table()))
    return [letters[start:end] for start, end, _ in split]


# ---------------------------------------------------------------- the dictionary
class PinyinLexicon:
    """Pinyin2Hanzi's phrase dictionary, loaded once (about 0.4 s) and shared."""

    _shared: PinyinLexicon | None = None
    _lock = threading.Lock()

    def __init__(self):
        from Pinyin2Hanzi import DefaultDagParams

        self._params = DefaultDagParams()
        self._syllables, _ = _syllable_table()

    @classmethod
    def shared(cls) -> PinyinLexicon:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def phrases(self, syllables: list[str], count: int = PHRASE_PATHS) -> list[str]:
        """The likeliest texts for full syllables, best first (xing ba ke → 星巴克 …)."""
        from Pinyin2Hanzi import dag

        if not syllables or any(s not in self._syllables for s in syllables):
            return []
        try:
            paths = dag(self._params, syllables, path_num=count)
        except (KeyError, ValueError):
            return []
        return _unique("".join(path.path) for path in paths)

    def characters(self, piece: str, count: int = MAX_CANDIDATES) -> list[str]:
        """Characters for one syllable, or for every syllable an initial may begin ("x")."""
        if piece in self._syllables:
            return [text for text, _ in self._params.get_phrase([piece], num=count)]
        scored: dict[str, float] = {}
        for syllable in self._syllables:
            if syllable.startswith(piece):
                for text, score in self._params.get_phrase([syllable], num=count):
                    scored[text] = max(score, scored.get(text, 0.0))
        return sorted(scored, key=lambda text: -scored[text])[:count]


@lru_cache(maxsize=1)
def _to_traditional():
    import opencc

    return opencc.OpenCC("s2tw")


def to_traditional(text: str) -> str:
    return _to_traditional().convert(text)


def _unique(texts: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        if text:
            seen.setdefault(text, None)
    return list(seen)


# ---------------------------------------------------------------- context words
@dataclass(frozen=True)
class _Word:
    text: str
    syllables: tuple[str, ...]


def _word_syllables(text: str) -> tuple[str, ...] | None:
    """Pinyin syllables of an all-Chinese word; None when it holds anything else."""
    if not text or not all("\u3400" <= ch <= "\u9fff" for ch in text):
        return None
    from pypinyin import lazy_pinyin  # its phrase dictionary takes a second to load: not at import

    return tuple(lazy_pinyin(text))


def _consumes(letters: str, syllables: tuple[str, ...]) -> bool:
    """Whether `letters` spell the start of a word: each syllable in order given in full or
    by a prefix of it ("xbk", "xingbk", "yunduo" for 云朵咖啡)."""

    @lru_cache(maxsize=None)
    def from_here(position: int, syllable: int) -> bool:
        if position == len(letters):
            return syllable > 0
        if syllable == len(syllables):
            return False
        text = syllables[syllable]
        for end in range(len(text), 0, -1):
            if letters.startswith(text[:end], position) and from_here(position + end, syllable + 1):
                return True
        return False

    return from_here(0, 0)


# ---------------------------------------------------------------- the input method
class PinyinInput(InputMethod):
    """Pinyin composition with a candidate strip; see the module docstring."""

    def __init__(self, lexicon: PinyinLexicon | None = None, traditional: bool = False,
                 context_words: Iterable[str] = ()):
        self._lexicon = lexicon
        self.traditional = traditional
        self.composition = ""
        self.candidates: list[str] = []
        self._consumed: list[int] = []
        """For each candidate, how many letters of the composition it stands for."""
        self._context: list[_Word] = []
        self.set_context_words(context_words)

    @property
    def lexicon(self) -> PinyinLexicon:
        if self._lexicon is None:
            self._lexicon = PinyinLexicon.shared()
        return self._lexicon

    def set_context_words(self, words: Iterable[str]) -> None:
        """Words of this mall offered first when they fit the letters (store names …)."""
        context = []
        for text in _unique(words):
            syllables = _word_syllables(text)
            if syllables:
                context.append(_Word(text, syllables))
        self._context = context
        self._update()

    # -- keys
    def _composes(self, key: str) -> bool:
        """Whether the key joins the composition (a lower-case pinyin letter)."""
        return len(key) == 1 and "a" <= key <= "z"

    def press(self, key: str) -> str:
        if self._composes(key):
            if len(self.composition) < MAX_COMPOSITION:
                self.composition += key
                self._update()
            return ""
        if not self.composition:
            return key
        if key == "\n":  # Enter keeps the letters as typed, like a phone's IME
            return self._commit_raw()
        if key == " ":  # the best candidate; letters it does not cover stay composing
            return self.choose(0) if self.candidates else self._commit_raw()
        if key.isascii():
            # Digits and ASCII signs keep the letters as typed: "3F-12", "T2", "A4 size".
            return self._commit_raw() + key
        return self._commit_first() + key  # Chinese punctuation ends a word: 我要投诉，

    def _commit_first(self) -> str:
        """The best candidate, and whatever letters it does not cover, as typed."""
        first = self.choose(0) if self.candidates else ""
        return first + self._commit_raw()

    def backspace(self) -> bool:
        if not self.composition:
            return False
        self.composition = self.composition[:-1]
        self._update()
        return True

    def choose(self, index: int) -> str:
        if not 0 <= index < len(self.candidates):
            return ""
        text, consumed = self.candidates[index], self._consumed[index]
        self.composition = self.composition[consumed:]
        self._update()
        return text

    def reset(self) -> None:
        self.composition = ""
        self._update()

    def _commit_raw(self) -> str:
        """The composition as typed (Enter, digits, the 中/EN key)."""
        letters, self.composition = self.composition, ""
        self._update()
        return letters

    # -- candidates
    def _update(self) -> None:
        letters = self.composition
        if not letters:
            self.candidates, self._consumed = [], []
            return
        found: dict[str, int] = {}

        def add(texts: Iterable[str], consumed: int, convert: bool = True) -> None:
            for text in texts:
                if convert and self.traditional:
                    text = to_traditional(text)
                if text and text not in found and len(found) < MAX_CANDIDATES:
                    found[text] = consumed

        add((word.text for word in self._context if _consumes(letters, word.syllables)), len(letters),
            convert=False)
        pieces = segment(letters)
        add(self.lexicon.phrases(pieces), len(letters))
        if len(pieces) > 2:
            add(self.lexicon.phrases(pieces[:2], count=2), len(pieces[0]) + len(pieces[1]))
        add(self.lexicon.characters(pieces[0]), len(pieces[0]))
        self.candidates = list(found)
        self._consumed = list(found.values())

    def syllables_shown(self) -> str:
        """The composition as the strip shows it, syllables apart: "xing'ba'ke"."""
        return "'".join(segment(self.composition)) if self.composition else ""


# ---------------------------------------------------------------- Zhuyin (注音)
ZHUYIN_INITIALS = "ㄅㄆㄇㄈㄉㄊㄋㄌㄍㄎㄏㄐㄑㄒㄓㄔㄕㄖㄗㄘㄙ"
ZHUYIN_MEDIALS = "ㄧㄨㄩ"
ZHUYIN_FINALS = "ㄚㄛㄜㄝㄞㄟㄠㄡㄢㄣㄤㄥㄦ"
ZHUYIN_SYMBOLS = ZHUYIN_INITIALS + ZHUYIN_MEDIALS + ZHUYIN_FINALS
"""The 37 symbols."""
TONE_MARKS = {"ˉ": 1, "ˊ": 2, "ˇ": 3, "ˋ": 4, "˙": 5}
"""First tone (usually left unmarked), rising, dipping, falling, neutral."""
MAX_SYLLABLE_SYMBOLS = 4
"""The longest Zhuyin syllable without its tone (ㄓㄨㄤ: three; four leaves room)."""


@lru_cache(maxsize=1)
def zhuyin_table() -> dict[str, str]:
    """Zhuyin spelling (toneless) → pinyin syllable, for every syllable of the pinyin dictionary:
    pypinyin's Bopomofo style run backwards (imported here, on first use)."""
    from pypinyin.style.bopomofo import converter

    syllables, _ = _syllable_table()
    table: dict[str, str] = {}
    for syllable in sorted(syllables):
        spelled = converter.to_bopomofo(syllable + "1")  # tone 1: no mark
        if spelled and all(symbol in ZHUYIN_SYMBOLS for symbol in spelled):
            table.setdefault(spelled, syllable)
    return table


@lru_cache(maxsize=1)
def _zhuyin_prefixes() -> dict[str, tuple[str, ...]]:
    """Every start of a Zhuyin spelling → the pinyin syllables it may begin."""
    starts: dict[str, list[str]] = {}
    for spelled, syllable in zhuyin_table().items():
        for end in range(1, len(spelled) + 1):
            starts.setdefault(spelled[:end], []).append(syllable)
    return {start: tuple(sorted(found)) for start, found in starts.items()}


@dataclass(frozen=True)
class ZhuyinSyllable:
    """One syllable of a Zhuyin composition, whole ("ㄒㄧˇ": xi, tone 3) or begun ("ㄒ")."""

    typed: str
    pinyin: str
    """The pinyin syllable, or for a begun one the letters every syllable it may be begins with."""
    tone: int | None
    whole: bool

    def fits(self, syllable: str) -> bool:
        return syllable == self.pinyin if self.whole else syllable.startswith(self.pinyin)


def zhuyin_syllables(typed: str) -> list[ZhuyinSyllable]:
    """Split a Zhuyin composition into syllables: whole ones preferred (ㄒㄧㄢ is xian, not
    ㄒ-ㄧㄢ), each with the tone mark typed after it; a start of a syllable stands for it."""
    table, prefixes = zhuyin_table(), _zhuyin_prefixes()

    def tone_after(typed: str, end: int) -> int:
        return 1 if end < len(typed) and typed[end] in TONE_MARKS else 0

    def syllable(start: int, end: int, stop: int) -> ZhuyinSyllable:
        spelled = typed[start:end]
        if spelled in table:
            pinyin, whole = table[spelled], True
        else:
            pinyin, whole = (_common_start(prefixes[spelled]) if spelled in prefixes else ""), False
        return ZhuyinSyllable(typed[start:stop], pinyin, TONE_MARKS[typed[end]] if stop > end else None, whole)

    return [syllable(*piece) for piece in
            cheapest_split(typed, MAX_SYLLABLE_SYMBOLS, _syllable_cost(table, prefixes), tone_after)]


def _common_start(syllables: tuple[str, ...]) -> str:
    first, last = min(syllables), max(syllables)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def _tones_fit(text: str, syllables: list[ZhuyinSyllable]) -> bool:
    """Whether each typed tone is one of the readings of its character (pypinyin, on first use)."""
    from pypinyin import Style, pinyin

    readings = pinyin(text, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)
    return all(syllable.tone is None or any(option.endswith(str(syllable.tone)) for option in options)
               for syllable, options in zip(syllables, readings, strict=False))


class ZhuyinInput(PinyinInput):
    """Zhuyin composition with the pinyin candidate strip; see the module docstring."""

    def __init__(self, lexicon: PinyinLexicon | None = None, traditional: bool = True,
                 context_words: Iterable[str] = ()):
        super().__init__(lexicon, traditional, context_words)

    def _composes(self, key: str) -> bool:
        """A Zhuyin symbol, or a tone mark after one (a tone mark alone is typed as it is)."""
        return len(key) == 1 and key in ZHUYIN_SYMBOLS or key in TONE_MARKS and bool(self.composition)

    def syllables_shown(self) -> str:
        return " ".join(syllable.typed for syllable in zhuyin_syllables(self.composition))

    def search_text(self) -> str:
        return "".join(syllable.pinyin for syllable in zhuyin_syllables(self.composition))

    def _update(self) -> None:
        typed = self.composition
        if not typed:
            self.candidates, self._consumed = [], []
            return
        syllables = zhuyin_syllables(typed)
        found: dict[str, int] = {}

        def add(texts: Iterable[str], count: int, convert: bool = True) -> None:
            """Texts for the first `count` syllables: those of the typed tones first."""
            consumed = sum(len(syllable.typed) for syllable in syllables[:count])
            texts = [text for text in texts if text]
            ranked = [text for text in texts if _tones_fit(text, syllables[:count])] + texts
            for text in ranked:
                if convert and self.traditional:
                    text = to_traditional(text)
                if text not in found and len(found) < MAX_CANDIDATES:
                    found[text] = consumed

        add(self._fitting_words(syllables), len(syllables), convert=False)
        if all(syllable.whole for syllable in syllables):
            add(self.lexicon.phrases([syllable.pinyin for syllable in syllables]), len(syllables))
        if len(syllables) > 2 and syllables[0].whole and syllables[1].whole:
            add(self.lexicon.phrases([syllables[0].pinyin, syllables[1].pinyin], count=2), 2)
        if syllables[0].pinyin:
            add(self.lexicon.characters(syllables[0].pinyin), 1)
        self.candidates = list(found)
        self._consumed = list(found.values())

    def _fitting_words(self, syllables: list[ZhuyinSyllable]) -> list[str]:
        """The mall's words that start with the typed syllables (ㄒㄕㄐ: 洗手間)."""
        return [word.text for word in self._context if len(word.syllables) >= len(syllables)
                and all(typed.fits(spoken) for typed, spoken in zip(syllables, word.syllables, strict=False))]
