"""Maps in the console: upload an IMDF archive, review it against the live version, publish.

The upload is read by the importer (`imdf.import_imdf`) into a candidate MallContent, which
keeps what an archive does not hold (the mall's hours and desk, kiosk points, promotions, store
logos and hours) from the live version. The candidate is stored server-side as a blob and named
in the session, per mall, for an hour: the browser only says Publish or Discard. Publishing goes
through `content.services.publish` with its checks and the loss guard (a manager confirms a
loss), and then becomes the draft, so the next regular publish keeps the new map.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from server.content import services as content_services
from server.content.guard import Losses, losses_between
from server.malls.models import Mall
from server.wayfinding import services
from server.wayfinding.imdf import ImdfRefused, Said, import_imdf, say
from sync.protocol import Level, MallContent

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
CANDIDATE_SECONDS = 60 * 60
"""How long an uploaded map waits for Publish or Discard."""


class MapRefused(Exception):
    """The archive cannot become a candidate; `sentences` say why."""

    def __init__(self, sentences: list[Said]):
        self.sentences = sentences
        super().__init__("; ".join(sentence.text() for sentence in sentences))


@dataclass
class Candidate:
    content: MallContent
    report: list[Said]
    """The importer's report, a sentence a line, to be read in the page's language."""
    sha256: str


def _session_key(mall: Mall) -> str:
    return f"wayfinding.map_candidate.{mall.pk}"


def read_archive(mall: Mall, upload) -> tuple[MallContent, list[Said]]:
    """The uploaded IMDF archive as a candidate for `mall`, and the importer's report."""
    if upload.size > MAX_ARCHIVE_BYTES:
        raise MapRefused([say("the archive is larger than {limit} MB", limit=MAX_ARCHIVE_BYTES // (1024 * 1024))])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.zip"
        with path.open("wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        try:
            imported = import_imdf(path, mall_id=mall.pk)
        except ImdfRefused as refused:
            raise MapRefused(refused.report.sentences()) from None
    found = services.published(mall.pk)
    return with_live_details(imported.content, found[1] if found else None), imported.report.sentences()


def with_live_details(imported: MallContent, live: MallContent | None) -> MallContent:
    """The imported map with what an IMDF archive does not carry taken from the live version:
    the mall's own record, kiosk points still on the map, promotions whose store or category
    is still there, closures of connectors still there, and each kept store's logo, hours,
    phone, description and keywords where the archive has none."""
    if live is None:
        return imported
    nodes = {node.id for node in imported.graph.nodes}
    levels = {level.id for level in imported.levels}
    live_stores = {store.id: store for store in live.stores}
    stores = []
    for store in imported.stores:
        before = live_stores.get(store.id)
        if before is not None:
            store = store.model_copy(update={
                "logo_sha256": store.logo_sha256 or before.logo_sha256, "hours": store.hours or before.hours,
                "phone": store.phone or before.phone, "description": store.description or before.description,
                "keywords": store.keywords or before.keywords})
        stores.append(store)
    store_ids = {store.id for store in stores}
    category_ids = {category.id for category in imported.categories}
    connectors = {edge.connector_id for edge in imported.graph.edges if edge.connector_id}
    return imported.model_copy(update={
        "mall": live.mall,
        "stores": stores,
        "kiosks": [point for point in live.kiosks if point.node_id in nodes and point.level_id in levels],
        "promotions": [promotion for promotion in live.promotions
                       if (promotion.store_id is None or promotion.store_id in store_ids)
                       and (promotion.category_id is None or promotion.category_id in category_ids)],
        "closed_connectors": [c for c in live.closed_connectors if c in connectors],
    })


def keep(request, mall: Mall, content: MallContent, report: list[Said]) -> None:
    """Store the candidate (a blob) and name it in the session for this mall."""
    blob = content_services.store_blob(content_services.document_bytes(content),
                                       content_services.DOCUMENT_MEDIA_TYPE)
    request.session[_session_key(mall)] = {"sha256": blob.sha256,
                                          "report": [sentence.as_json() for sentence in report[:200]],
                                          "until": time.time() + CANDIDATE_SECONDS}


def candidate(request, mall: Mall) -> Candidate | None:
    """The mall's candidate kept for this session, or None (none, expired or gone)."""
    kept = request.session.get(_session_key(mall))
    if not kept or kept.get("until", 0) < time.time():
        discard(request, mall)
        return None
    found = content_services.read_blob(kept["sha256"])
    if found is None:
        discard(request, mall)
        return None
    report = [Said.from_json(sentence) for sentence in kept["report"] if isinstance(sentence, dict)]
    return Candidate(MallContent.model_validate_json(found[0]), report, kept["sha256"])


def discard(request, mall: Mall) -> None:
    request.session.pop(_session_key(mall), None)


def losses(mall: Mall, content: MallContent) -> Losses:
    """What publishing `content` would lose against the live version (for the review)."""
    found = services.published(mall.pk)
    return losses_between(found[1] if found else None, content)


@dataclass(frozen=True)
class Change:
    kind: str
    added: list[str]
    removed: list[str]
    changed: list[str]


def diff(live: MallContent | None, content: MallContent, language: str = "zh_CN") -> list[Change]:
    """Levels, stores and facilities added, removed and changed: each by its name and id."""
    rows = []
    for kind, before, after in (("levels", live.levels if live else [], content.levels),
                                ("stores", live.stores if live else [], content.stores),
                                ("facilities", live.facilities if live else [], content.facilities)):
        old = {item.id: item for item in before}
        new = {item.id: item for item in after}
        rows.append(Change(
            kind, added=[_named(new[i], language) for i in new if i not in old],
            removed=[_named(old[i], language) for i in old if i not in new],
            changed=[_named(new[i], language) for i in new if i in old and new[i].model_dump() != old[i].model_dump()]))
    return rows


def _named(item, language: str) -> str:
    """A level by its short name, a store by its name and unit number, a facility by its name:
    what the kiosks show, not an archive's UUIDs."""
    if isinstance(item, Level):
        return item.short_name
    name = item.name.get(language) or item.id
    unit = getattr(item, "unit", "")
    return f"{name} ({unit})" if unit else name


def publish(mall: Mall, user, content: MallContent, confirm_losses: str = ""):
    """Publish the candidate through the one publish path, then make it the draft, keeping the
    draft's unpublished promotions and kiosk points that still fit the new map."""
    with transaction.atomic():
        result = content_services.publish(mall, user, content=content, confirm_losses=confirm_losses)
        content_services.import_mall_content(_with_draft_work(mall, content), {})
    return result


def _with_draft_work(mall: Mall, content: MallContent) -> MallContent:
    draft, _problems = content_services.build_mall_content(mall)
    if draft is None:
        return content
    nodes = {node.id for node in content.graph.nodes}
    levels = {level.id for level in content.levels}
    stores = {store.id for store in content.stores}
    categories = {category.id for category in content.categories}
    promotions = {promotion.id for promotion in content.promotions}
    points = {point.id for point in content.kiosks}
    return content.model_copy(update={
        "promotions": content.promotions + [
            promotion for promotion in draft.promotions if promotion.id not in promotions
            and (promotion.store_id is None or promotion.store_id in stores)
            and (promotion.category_id is None or promotion.category_id in categories)],
        "kiosks": content.kiosks + [point for point in draft.kiosks if point.id not in points
                                    and point.node_id in nodes and point.level_id in levels],
    })
