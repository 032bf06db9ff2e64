"""Lost-property matching quality and speed on a generated labelled set.

2,000 found items and 500 lost reports (Simplified Chinese, English, Traditional Chinese with
Taiwan phrasing; see bench/lostfound_dataset.py for how the desk and the owners word things).
For each lost report: is its true found item among the top 5 suggestions? Compared with a
simple keyword-overlap reference measured in the same run (the same category and date filters,
then ranked by how many keywords both texts share: English words and Chinese character pairs),
and timed per report. Target: top-5 at least 90 %.

To show the set is not easy text matching, the run also prints how many reports share no
keyword at all with their true item, and how many of the generator's Chinese-English wording
pairs the matcher's dictionary (CC-CEDICT) links. The matcher holds no word list of its own
and its weights were not fitted to this generator.

Honesty about tuning: the matcher was developed looking at the generated set of SEED (and at
seeds 1 and 2), so those figures flatter it. The run ends with three lines scored the same way
(top-5 share, the keyword reference, their ratio): the tuned seed; held-out seeds that no tuning
has looked at; and a hand-written set of real-sounding report pairs in Simplified and
Traditional Chinese and English (bench/lostfound_handwritten.json), which the generator did not
write, with the share a random pick of 5 candidates would reach.
"""
from __future__ import annotations

import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lostfound_dataset import CATALOGUE, COLOURS, SEED, LabelledSet, generate, load_handwritten  # noqa: E402

from server.lostfound.matching import ItemFacts, passes_filters, rank, text_terms  # noqa: E402

TOP = 5
TARGET = 0.90
SEEN_SEEDS = (1, 2)
"""Seeds looked at while the matcher was developed (printed as the spread): not held out."""
HELD_OUT_SEEDS = (670239176, 555391622, 648993772)
"""HELD OUT: drawn once with `secrets` when this line was written. No tuning of the matcher may
look at their results; a change made because of them makes them tuned seeds, and new held-out
seeds must then be drawn."""
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def keywords(facts: ItemFacts) -> set[str]:
    """The reference's keywords: English words, and pairs of adjacent Chinese characters
    (Chinese has no spaces), from the description, the brand and the colour code."""
    text = f"{facts.text} {facts.brand} {facts.colour}".lower()
    found = {word for word in re.split(r"[\W_]+", _CJK_RUN.sub(" ", text)) if word}
    for run in _CJK_RUN.findall(text):
        found.update(run[index:index + 2] for index in range(max(1, len(run) - 1)))
    return found


def keyword_rank(lost: ItemFacts, found_items: list[ItemFacts], limit: int = TOP) -> list[str]:
    """The reference: the same hard filters (category, dates), then the number of shared keywords."""
    lost_words = keywords(lost)
    scored = [(len(lost_words & keywords(found)), str(found.key)) for found in found_items
              if passes_filters(lost, found)]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [key for _, key in scored[:limit]]


def reference_share(data: LabelledSet) -> float:
    """The keyword reference's top-5 share over a labelled set."""
    hits = sum(data.truth[lost.key] in keyword_rank(lost, data.found) for lost in data.lost)
    return hits / len(data.lost)


def chance_share(data: LabelledSet) -> float:
    """The top-5 share of a random pick among the candidates that pass the hard filters."""
    shares = []
    for lost in data.lost:
        candidates = sum(passes_filters(lost, found) for found in data.found)
        shares.append(min(1.0, TOP / candidates) if candidates else 0.0)
    return sum(shares) / len(shares)


def comparison_line(label: str, ours: float, reference: float) -> str:
    ratio = f"{ours / reference:.2f}x" if reference else "n/a (the reference found nothing)"
    return f"{label:<26} matcher top-{TOP} {ours:6.1%}   keyword reference {reference:6.1%}   ratio {ratio}"


def top_share(data, by_category, timings: list[float] | None = None) -> tuple[float, Counter]:
    hits, misses = 0, Counter()
    for lost in data.lost:
        started = time.perf_counter()
        suggestions = rank(lost, by_category[lost.category], limit=TOP)
        if timings is not None:
            timings.append(time.perf_counter() - started)
        if data.truth[lost.key] in {suggestion.key for suggestion in suggestions}:
            hits += 1
        else:
            misses[lost.category] += 1
    return hits / len(data.lost), misses


def dictionary_links() -> tuple[int, int]:
    """Of the generator's (Chinese wording, English wording) pairs of one thing, how many share
    a concept token in the matcher's terms."""
    linked = total = 0
    phrases = list(COLOURS.values())
    for category in CATALOGUE.values():
        phrases += list(category.kinds) + list(category.visible) + list(category.inside)
    for chinese_wordings, english_wordings in phrases:
        for chinese in chinese_wordings:
            concepts = {term for term in text_terms(chinese) if term.startswith("@")}
            for english in english_wordings:
                total += 1
                linked += bool(concepts & {term for term in text_terms(english) if term.startswith("@")})
    return linked, total


def by_category_of(data) -> dict[str, list[ItemFacts]]:
    grouped: dict[str, list[ItemFacts]] = defaultdict(list)
    for found in data.found:
        grouped[found.category].append(found)
    return grouped


def main() -> int:
    data = generate()
    by_category = by_category_of(data)
    found_by_key = {found.key: found for found in data.found}
    languages = Counter(data.languages.values())
    print(f"labelled set (seed {SEED}): {len(data.found)} found items, {len(data.lost)} lost reports "
          f"({languages['zh_CN']} Simplified Chinese, {languages['en']} English, "
          f"{languages['zh_TW']} Traditional Chinese)")
    no_shared = sum(1 for lost in data.lost if not keywords(lost) & keywords(found_by_key[data.truth[lost.key]]))
    linked, pairs = dictionary_links()
    print(f"reports sharing no keyword with their true item: {no_shared} ({no_shared / len(data.lost):.0%}); "
          f"generator's Chinese-English wording pairs the dictionary links: {linked}/{pairs} ({linked / pairs:.0%})")

    seconds: list[float] = []
    ours, misses = top_share(data, by_category, seconds)

    reference_hits, reference_seconds = 0, []
    for lost in data.lost:
        started = time.perf_counter()
        keys = keyword_rank(lost, data.found)
        reference_seconds.append(time.perf_counter() - started)
        reference_hits += data.truth[lost.key] in keys
    reference = reference_hits / len(data.lost)

    verdict = "meets" if ours >= TARGET else "BELOW"
    print(f"top-{TOP} hit rate: {ours:.1%} ({verdict} the target of {TARGET:.0%})")
    print(f"keyword-overlap reference top-{TOP}: {reference:.1%}")
    print(f"ratio (ours / reference): {ours / reference:.2f}x" if reference else "reference found nothing")
    print(f"time per match: median {statistics.median(seconds) * 1000:.2f} ms, "
          f"p95 {sorted(seconds)[int(len(seconds) * 0.95)] * 1000:.2f} ms; "
          f"reference median {statistics.median(reference_seconds) * 1000:.2f} ms")
    if misses:
        print("misses by category: " + ", ".join(f"{c} {n}" for c, n in sorted(misses.items())))
    spread = []
    for seed in SEEN_SEEDS:
        other = generate(seed=seed)
        spread.append(f"seed {seed}: {top_share(other, by_category_of(other))[0]:.1%}")
    print(f"top-{TOP} on other generated sets seen during development: " + ", ".join(spread))

    held_ours, held_reference = [], []
    for seed in HELD_OUT_SEEDS:
        held = generate(seed=seed)
        held_ours.append(top_share(held, by_category_of(held))[0])
        held_reference.append(reference_share(held))
    handwritten = load_handwritten()
    hand_ours, hand_misses = top_share(handwritten, by_category_of(handwritten))
    hand_reference = reference_share(handwritten)
    busy = LabelledSet(found=handwritten.found + held.found, lost=handwritten.lost, truth=handwritten.truth,
                       languages=handwritten.languages)
    busy_ours, busy_misses = top_share(busy, by_category_of(busy))
    busy_reference = reference_share(busy)
    hand_languages = Counter(handwritten.languages.values())
    print()
    print(f"hand-written set: {len(handwritten.lost)} lost reports ({hand_languages['zh_CN']} Simplified Chinese, "
          f"{hand_languages['en']} English, {hand_languages['zh_TW']} Traditional Chinese) against "
          f"{len(handwritten.found)} found items; a random pick of {TOP} would hit {chance_share(handwritten):.1%}. "
          f"In a busy office (the same reports, the last held-out seed's {len(held.found)} found items added "
          f"as distractors of the same weeks) a random pick would hit {chance_share(busy):.1%}")
    for label, misses_of_set in (("hand-written", hand_misses), ("busy office", busy_misses)):
        if misses_of_set:
            print(f"{label} misses by category: " + ", ".join(f"{c} {n}" for c, n in sorted(misses_of_set.items())))
    print(comparison_line(f"tuned seed ({SEED})", ours, reference))
    print(comparison_line(f"held-out seeds (x{len(HELD_OUT_SEEDS)})", statistics.mean(held_ours),
                          statistics.mean(held_reference)))
    print(comparison_line("hand-written set", hand_ours, hand_reference))
    print(comparison_line("hand-written, busy office", busy_ours, busy_reference))
    print("held-out seeds one by one: " + ", ".join(
        f"{seed}: {mine:.1%} vs {theirs:.1%}" for seed, mine, theirs in zip(HELD_OUT_SEEDS, held_ours, held_reference,
                                                                          strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
