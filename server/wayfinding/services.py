"""Wayfinding on the server: routes for phones, connector closures, the map check.

* The phone route page computes the route from the newest *published* content with the same
  router the kiosk uses (`venue.routing`), so a phone shows what the kiosk showed.
* A closure reaches kiosks as a new published content version: the newest published document
  with the changed `closed_connectors`, nothing else. Kiosks already fetch, verify and switch
  content versions atomically, keep them across restarts, and apply them offline, so a closure
  is never lost by a kiosk that missed a heartbeat, and it never publishes someone's
  half-finished draft. It is published by `server.content.services.publish`, with the same
  checks as any version. The draft's own `closed_connectors` is updated too, so the next
  regular publish keeps the closure.
* The map check is the publish validation (`server.content.services.validate_mall_content`,
  which includes `venue.routing`'s reachability checks) run on the draft, for the console to
  list before publishing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction

from server.content import services as content_services
from server.content.models import ContentVersion
from server.malls.models import Mall
from sync.protocol import MallContent
from venue.routing.graph import CONNECTOR_KINDS
from venue.routing.route import Route
from venue.routing.router import RoutingError, router_for


class ClosureError(Exception):
    """A closure that cannot be made (unknown connector, nothing published yet, or the version
    it would make does not pass the content checks)."""


# ---------------------------------------------------------------- published content
def published(mall_id: str) -> tuple[ContentVersion, MallContent] | None:
    """The newest published version of a mall and its document, or None."""
    version = content_services.current_version(mall_id)
    if version is None:
        return None
    return version, _document(version.document_sha256)


@lru_cache(maxsize=8)
def _document(sha256: str) -> MallContent:
    """A published document, parsed once per process (documents are immutable)."""
    found = content_services.read_blob(sha256)
    if found is None:
        raise ClosureError(f"the published document {sha256} is missing from the blob store")
    return MallContent.model_validate_json(found[0])


def phone_route(mall_id: str, origin_id: str, destination_id: str, profile: str) -> tuple[MallContent, Route] | None:
    """The route a kiosk handed over by QR code, from the newest published content; None when
    the mall, a place or the profile is unknown."""
    found = published(mall_id)
    if found is None:
        return None
    content = found[1]
    try:
        return content, router_for(content).route(origin_id, destination_id, profile)
    except RoutingError:
        return None


# ---------------------------------------------------------------- closures
@dataclass(frozen=True)
class Connector:
    id: str
    kind: str
    name: str
    floors: str
    """The floors it joins, bottom to top: "1F–2F", "B1–4F"."""
    closed: bool


def connectors(content: MallContent, language: str = "zh_CN") -> list[Connector]:
    """The lifts, escalators, stairs and ramps staff can close: the facilities path edges name
    as their connector (one per lift; one per escalator or flight of stairs)."""
    facilities = {facility.id: facility for facility in content.facilities}
    nodes = {node.id: node for node in content.graph.nodes}
    levels = {level.id: level for level in content.levels}
    joined: dict[str, set[str]] = {}
    for edge in content.graph.edges:
        if edge.connector_id in facilities and facilities[edge.connector_id].kind in CONNECTOR_KINDS:
            for node_id in (edge.a, edge.b):
                if node_id in nodes:
                    joined.setdefault(edge.connector_id, set()).add(nodes[node_id].level_id)
    closed = set(content.closed_connectors)
    rows = []
    for connector_id, level_ids in joined.items():
        facility = facilities[connector_id]
        ordered = sorted((levels[i] for i in level_ids if i in levels), key=lambda level: level.ordinal)
        floors = f"{ordered[0].short_name}–{ordered[-1].short_name}" if len(ordered) > 1 else (
            ordered[0].short_name if ordered else "")
        rows.append(Connector(connector_id, facility.kind, facility.name.get(language), floors,
                              connector_id in closed))
    order = {"lift": 0, "escalator": 1, "stairs": 2, "ramp": 3}
    return sorted(rows, key=lambda row: (order.get(row.kind, 9), row.floors, row.name, row.id))


def set_connector_closed(mall: Mall, connector_id: str, closed: bool, user=None, *,
                         confirm_losses: str = "") -> ContentVersion:
    """Close or reopen a connector: publish the newest version again with the changed closure
    list, as version N+1 (kiosks pick it up at their next content poll). Returns the version
    that carries the change (the current one when nothing changed). A closure that takes routes
    away (strands a kiosk point) raises content_services.UnconfirmedLosses unless a manager
    confirms it with `confirm_losses`; the draft is then left as it was."""
    with transaction.atomic():
        Mall.objects.select_for_update().filter(pk=mall.pk).first()
        found = published(mall.id)
        if found is None:
            raise ClosureError("nothing is published for this mall yet")
        latest, content = found
        if connector_id not in {row.id for row in connectors(content)}:
            raise ClosureError(f"{connector_id!r} is not a lift, escalator, stairs or ramp of this mall")
        wanted = set(content.closed_connectors)
        wanted = wanted | {connector_id} if closed else wanted - {connector_id}
        mall = Mall.objects.get(pk=mall.pk)
        draft = set(mall.closed_connectors or [])
        draft = draft | {connector_id} if closed else draft - {connector_id}
        mall.closed_connectors = sorted(draft)
        mall.save(update_fields=["closed_connectors", "updated_at"])
        if wanted == set(content.closed_connectors):
            return latest
        changed = content.model_copy(update={"closed_connectors": sorted(wanted)})
        try:
            return content_services.publish(mall, user, content=changed, confirm_losses=confirm_losses).version
        except content_services.UnconfirmedLosses:
            raise
        except content_services.PublishError as refused:
            raise ClosureError("the new version would not pass the content checks: "
                               + "; ".join(refused.problems)) from refused


# ---------------------------------------------------------------- the map check
def map_check(mall: Mall) -> list[str]:
    """Every reason the draft cannot be published now (empty: it can)."""
    content, problems = content_services.build_mall_content(mall)
    if content is None:
        return problems
    return content_services.validate_mall_content(content)
