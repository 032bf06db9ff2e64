"""The publish guard: what a new content version would take away from the kiosks.

Every candidate version is compared with the live one (the newest published): stores, levels,
facilities and kiosk points it no longer has, and routes from a kiosk point to a store, on foot
or step-free, that the live version had and the candidate has not (closures count: a closed lift
blocks). Losing any of that needs a manager's explicit confirmation of exactly this loss list
(its fingerprint), recorded in the audit log; `services.publish` enforces it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from server.accounts.roles import Role
from server.accounts.services import has_role
from server.malls.boundary import sees_every_mall, staff_mall_id
from sync.protocol import I18nText, MallContent
from venue.routing.router import walking_distances_from

GUARDED_PROFILES = ("standard", "step_free")
PROFILE_WORDS = {"standard": "on foot", "step_free": "step-free"}
LISTED = 8


@dataclass(frozen=True)
class LostRoutes:
    kiosk_point: str
    profile: str
    stores: tuple[str, ...]
    """Stores still in the candidate that this kiosk point reached and no longer reaches."""


@dataclass(frozen=True)
class Losses:
    """What a candidate version loses against the live one (all empty: nothing)."""

    stores: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    facilities: tuple[str, ...] = ()
    kiosk_points: tuple[str, ...] = ()
    routes: tuple[LostRoutes, ...] = ()
    stranded: tuple[str, ...] = ()
    """Kiosk points that reached stores and now reach none at all."""
    basis: str = field(default="", compare=False)
    """The live version and candidate document the comparison was made between."""
    names: dict[str, I18nText | str] = field(default_factory=dict, compare=False, hash=False)
    """What each id above is called (a store's name and unit, a level's short name), so a
    manager reads "Blue Bottle (B1-12)" rather than an archive's UUID."""

    def name_of(self, item_id: str, language: str) -> str:
        """An id in words, in `language`; the id itself when it has no name."""
        name = self.names.get(item_id)
        if isinstance(name, I18nText):
            return name.get(language) or item_id
        return name or item_id

    def __bool__(self) -> bool:
        return bool(self.stores or self.levels or self.facilities or self.kiosk_points or self.routes
                    or self.stranded)

    def lines(self) -> list[str]:
        """The losses in sentences, one each: what the refusal and the audit entry say."""
        lines = [f"{len(ids)} {kind} removed: {_listed(ids)}" for kind, ids in (
            ("stores", self.stores), ("levels", self.levels), ("facilities", self.facilities),
            ("kiosk points", self.kiosk_points)) if ids]
        lines += [f"kiosk point {point} is stranded: it reaches no store" for point in self.stranded]
        lines += [f"kiosk point {lost.kiosk_point} can no longer reach {len(lost.stores)} stores "
                  f"{PROFILE_WORDS[lost.profile]}: {_listed(lost.stores)}" for lost in self.routes]
        return lines

    def fingerprint(self) -> str:
        """Names exactly this loss between exactly these two versions: a confirmation carries
        it, so it cannot be reused for another loss or after the live version moved on."""
        payload = json.dumps([self.basis, self.lines(), [list(lost.stores) for lost in self.routes]])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _listed(ids: tuple[str, ...]) -> str:
    return ", ".join(ids[:LISTED]) + (f" and {len(ids) - LISTED} more" if len(ids) > LISTED else "")


def _removed(live: list, candidate: list) -> tuple[str, ...]:
    kept = {item.id for item in candidate}
    return tuple(item.id for item in live if item.id not in kept)


def _reached_stores(content: MallContent, node_id: str, profile: str) -> set[str]:
    nodes = {node.id for node in content.graph.nodes}
    if node_id not in nodes:
        return set()
    reached = walking_distances_from(content, node_id, profile)
    return {store.id for store in content.stores if store.node_id in reached}


def losses_between(live: MallContent | None, candidate: MallContent, basis: str = "") -> Losses:
    """What `candidate` loses against `live` (nothing when nothing is live yet)."""
    if live is None:
        return Losses(basis=basis)
    candidate_stores = {store.id for store in candidate.stores}
    candidate_points = {point.id: point for point in candidate.kiosks}
    routes: list[LostRoutes] = []
    stranded: list[str] = []
    for point in live.kiosks:
        now = candidate_points.get(point.id)
        if now is None:
            continue  # listed as a removed kiosk point
        reached_any_before = reaches_any_now = False
        for profile in GUARDED_PROFILES:
            before = _reached_stores(live, point.node_id, profile) & candidate_stores
            after = _reached_stores(candidate, now.node_id, profile)
            reached_any_before |= bool(before)
            reaches_any_now |= bool(after)
            lost = tuple(store.id for store in candidate.stores if store.id in before - after)
            if lost:
                routes.append(LostRoutes(point.id, profile, lost))
        if reached_any_before and not reaches_any_now:
            stranded.append(point.id)
    names: dict[str, I18nText | str] = {}
    for content in (live, candidate):
        names.update({level.id: level.short_name for level in content.levels})
        names.update({item.id: item.name for item in [*content.facilities, *content.kiosks]})
        names.update({store.id: _with_unit(store.name, store.unit) for store in content.stores})
    return Losses(
        stores=_removed(live.stores, candidate.stores), levels=_removed(live.levels, candidate.levels),
        facilities=_removed(live.facilities, candidate.facilities),
        kiosk_points=_removed(live.kiosks, candidate.kiosks), routes=tuple(routes), stranded=tuple(stranded),
        basis=basis, names=names,
    )


def _with_unit(name: I18nText, unit: str) -> I18nText:
    """A store's name with its unit number, in each language: "Blue Bottle (B1-12)"."""
    if not unit:
        return name
    return I18nText(**{language: f"{text} ({unit})" if text else "" for language, text in name.model_dump().items()})


def may_confirm_losses(user, mall) -> bool:
    """Managers of the mall and administrators (of the mall, or across malls) may confirm a loss."""
    if not (user is not None and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if sees_every_mall(user):
        return True
    return has_role(user, Role.MANAGER, Role.ADMINISTRATOR) and staff_mall_id(user) == mall.pk
