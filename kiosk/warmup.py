"""Ahead-of-time building of what a visitor's first keystroke or tap would otherwise wait for.

A content version's search indexes (stores, and facilities by their words) and the
shortest-path trees from this kiosk are built on first use and kept while the version is active.
On a large mall that first use costs a visitor up to a second or so; doing it in a background
thread as soon as the version becomes active moves that wait to a moment nobody is waiting.
"""
from __future__ import annotations

import logging
import threading

from sync.protocol import MallContent

log = logging.getLogger(__name__)


def prepare(content: MallContent, index, kiosk_point_id: str | None) -> None:
    """Build the search indexes of `index` and, when the kiosk stands at a known point, the
    route trees from it for every visitor profile and for the evacuation route."""
    from venue.facility_search import facility_search_for
    from venue.routing.graph import PROFILES
    from venue.routing.router import RoutingError, router_for
    from venue.search import search_for

    search_for(index)
    facility_search_for(index)
    router = router_for(content)
    if kiosk_point_id is None:
        return
    try:
        source = router.graph.index[router.place(kiosk_point_id).node_id]
    except RoutingError:
        return  # the kiosk point is not on the path graph; the screens say so when asked
    for profile in PROFILES.values():
        router.graph.tree(source, profile)


def prepare_in_background(content: MallContent, index, kiosk_point_id: str | None) -> threading.Thread:
    def run() -> None:
        try:
            prepare(content, index, kiosk_point_id)
        except Exception:  # the screens build on first use instead, and report what fails there
            log.exception("preparing the search index and routes ahead failed")

    thread = threading.Thread(target=run, name="prepare-content", daemon=True)
    thread.start()
    return thread
