"""Lost-property matching quality and speed on a generated labelled set.

2,000 found items and 500 lost reports (Chinese, English, Traditional Chinese; see
bench/lostfound_dataset.py). For each lost report: does its true found item appear in the top
5 suggestions? Compared with a simple keyword-overlap reference measured in the same run (the
same category and date filters, then the number of shared words), and timed per report.
Target: top-5 at least 90 %.
"""
from __future__ import annotations

import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lostfound_dataset import generate  # noqa: E402

from server.lostfound.matching import ItemFacts, passes_filters, rank  # noqa: E402

TOP = 5
TARGET = 0.90


def keyword_rank(lost: ItemFacts, found_items: list[ItemFacts], limit: int = TOP) -> list[str]:
    """The reference: the same hard filters (category, dates), then ranked by how many words
    (split on spaces and punctuation) both share."""
    def words(facts: ItemFacts) -> set[str]:
        return {w for w in re.split(r"[\W_]+", f"{facts.text} {facts.brand} {facts.colour}".lower()) if w}

    lost_words = words(lost)
    scored = [(len(lost_words & words(found)), str(found.key)) for found in found_items
              if passes_filters(lost, found)]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [key for _, key in scored[:limit]]


def main() -> int:
    data = generate()
    by_category: dict[str, list[ItemFacts]] = defaultdict(list)
    for found in data.found:
        by_category[found.category].append(found)
    languages = {"zh": 0, "en": 0}
    for lost in data.lost:
        languages["en" if re.search(r"[a-z]{3}", lost.text.lower()) and not re.search(r"[\u4e00-\u9fff]", lost.text) else "zh"] += 1
    print(f"labelled set: {len(data.found)} found items, {len(data.lost)} lost reports "
          f"({languages['zh']} in Chinese, {languages['en']} in English)")

    hits, seconds = 0, []
    misses_by_category: dict[str, int] = defaultdict(int)
    for lost in data.lost:
        started = time.perf_counter()
        suggestions = rank(lost, by_category[lost.category], limit=TOP)
        seconds.append(time.perf_counter() - started)
        if data.truth[lost.key] in {s.key for s in suggestions}:
            hits += 1
        else:
            misses_by_category[lost.category] += 1

    reference_hits, reference_seconds = 0, []
    for lost in data.lost:
        started = time.perf_counter()
        keys = keyword_rank(lost, data.found)
        reference_seconds.append(time.perf_counter() - started)
        reference_hits += data.truth[lost.key] in keys

    ours = hits / len(data.lost)
    reference = reference_hits / len(data.lost)
    print(f"top-{TOP} hit rate: {ours:.1%} (target {TARGET:.0%})")
    print(f"keyword-overlap reference top-{TOP}: {reference:.1%}")
    print(f"ratio (ours / reference): {ours / reference:.2f}x" if reference else "reference found nothing")
    print(f"time per match: median {statistics.median(seconds) * 1000:.2f} ms, "
          f"p95 {sorted(seconds)[int(len(seconds) * 0.95)] * 1000:.2f} ms; "
          f"reference median {statistics.median(reference_seconds) * 1000:.2f} ms")
    if misses_by_category:
        print("misses by category: " + ", ".join(f"{c} {n}" for c, n in sorted(misses_by_category.items())))
    return 0 if ours >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
