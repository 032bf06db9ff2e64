"""Ahead-of-time building of what a visitor's first keystroke or tap would otherwise wait for.

A content version's search indexes (stores, and facilities by their words), the shortest-path
trees from this kiosk and the deepest point of each shape on the map's first floor (where its
names go) are built on first use and kept while the version is active;
the keyboard's Chinese input methods read large dictionaries (pypinyin's phrases, Pinyin2Hanzi's
lexicon, OpenCC's conversion table) on first use. Together that is a second or two that would
land on the first visitor's first keystroke, or on the first frame if imported at start-up. The
app starts this in a background thread right after its first frame, and again whenever a new
content version becomes active; the thread's `finished_at` tells when everything is built.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sync.protocol import MallContent
    from venue.index import ContentIndex

log = logging.getLogger(__name__)


class Preparation(threading.Thread):
    """One run of `prepare` in a daemon thread; `finished_at` (time.monotonic()) once done."""

    def __init__(self, content: MallContent | None, index: ContentIndex | None, kiosk_point_id: str | None):
        super().__init__(name="prepare-content", daemon=True)
        self.content = content
        self.index = index
        self.kiosk_point_id = kiosk_point_id
        self.finished_at: float | None = None

    def run(self) -> None:
        try:
            prepare_input_methods()
            if self.content is not None:
                prepare(self.content, self.index, self.kiosk_point_id)
        except Exception:  # the screens build on first use instead, and report what fails there
            log.exception("preparing the search index and routes ahead failed")
        finally:
            self.finished_at = time.monotonic()


def prepare_input_methods() -> None:
    """Load the dictionaries the keyboard's Chinese modes and pinyin search read on first use."""
    from pypinyin import lazy_pinyin

    from kiosk.ime import PinyinLexicon, segment, to_traditional

    lazy_pinyin("中文")
    segment("zhongwen")
    PinyinLexicon.shared().phrases(["zhong", "wen"])
    to_traditional("中文")


def prepare(content: MallContent, index, kiosk_point_id: str | None) -> None:
    """Build the search indexes of `index`, the names' places on the floor the map opens on and,
    when the kiosk stands at a known point, the route trees from it for every visitor profile and
    for the evacuation route."""
    from venue.facility_search import facility_search_for
    from venue.routing.graph import PROFILES
    from venue.routing.router import RoutingError, router_for
    from venue.search import search_for

    search_for(index)
    facility_search_for(index)
    prepare_first_floor(content, index, kiosk_point_id)
    router = router_for(content)
    if kiosk_point_id is None:
        return
    try:
        source = router.graph.index[router.place(kiosk_point_id).node_id]
    except RoutingError:
        return  # the kiosk point is not on the path graph; the screens say so when asked
    for profile in PROFILES.values():
        router.graph.tree(source, profile)


def prepare_first_floor(content: MallContent, index, kiosk_point_id: str | None) -> None:
    """The floor the map opens on (the kiosk's own, else the first), turned the way the kiosk
    faces: placing its names took a visitor's first map 1–2 s on a dense floor."""
    from venue.plan_labels import prepare_plan_labels

    point = next((kiosk for kiosk in content.kiosks if kiosk.id == kiosk_point_id), None)
    level = index.level(point.level_id) if point is not None else None
    if level is None and index.levels():
        level = index.levels()[0]
    if level is not None:
        prepare_plan_labels(level, point.heading_deg if point is not None else 0.0)


def prepare_in_background(
    content: MallContent | None, index: ContentIndex | None, kiosk_point_id: str | None
) -> Preparation:
    """Start preparing; the returned thread is already running."""
    preparation = Preparation(content, index, kiosk_point_id)
    preparation.start()
    return preparation
