"""The phone store page reads the newest *published* content, never a draft: a phone shows
what the kiosks show."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from server.content import services as content_services
from sync.protocol import Promotion, Store
from venue.index import ContentIndex
from venue.schedule import is_on, playing_order


@dataclass(frozen=True)
class PublishedStore:
    index: ContentIndex
    store: Store
    promotions: list[Promotion]
    """The store's promotions on at `now`, in playing order."""


@lru_cache(maxsize=8)
def _index(document_sha256: str) -> ContentIndex | None:
    """A published document, parsed once per process (published documents never change)."""
    from sync.protocol import MallContent

    found = content_services.read_blob(document_sha256)
    return None if found is None else ContentIndex(MallContent.model_validate_json(found[0]))


def published_store(mall_id: str, store_id: str, now: datetime) -> PublishedStore | None:
    """The store as published for `mall_id`; None when the mall has nothing published or the
    store is not (or no longer) in it."""
    version = content_services.current_version(mall_id)
    if version is None:
        return None
    index = _index(version.document_sha256)
    store = index.store(store_id) if index is not None else None
    if store is None:
        return None
    local = index.local_time(now)
    promotions = sorted((p for p in index.content.promotions if p.store_id == store.id and is_on(p, local)),
                        key=playing_order)
    return PublishedStore(index, store, promotions)
