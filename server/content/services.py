"""The rules of mall content: storing blobs, importing bundles, validating and publishing.

Publishing turns the draft rows of a mall into a `sync.protocol.MallContent` document, stores it
as a blob, and records version N+1 with its `ContentManifest`. Versions are immutable: kiosks
poll the newest one and fetch the blobs it names by hash. `publish` is the only way a version is
made (console, admin, closures, imports, the demo), so every version passed the same checks.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from server.accounts.services import record_audit
from server.content import blob_store
from server.content.guard import Losses, losses_between, may_confirm_losses
from server.content.models import (
    Blob,
    Category,
    ContentVersion,
    Facility,
    KioskPoint,
    Level,
    PathGraph,
    Promotion,
    Store,
)
from server.malls.models import Mall
from sync import protocol
from sync.bundle import validate_content
from sync.protocol import SHA256_RE, BlobRef, ContentManifest, I18nText, MallContent, sha256_hex
from venue.routing.checks import reachability_problems

DOCUMENT_MEDIA_TYPE = "application/json"
"""The media type of a published MallContent document blob."""

BLOB_MEDIA_TYPES = frozenset({
    "image/png", "image/jpeg", "image/webp", "image/gif", "image/svg+xml", "image/avif",
    "application/json", "font/otf", "font/ttf", "font/woff2",
})
"""What a blob may be. Anything else (HTML above all) could run in the server's origin."""


class ContentError(Exception):
    """A content operation was refused; `problems` says why, one line each."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class PublishError(ContentError):
    """The draft does not validate; nothing was published."""


class UnconfirmedLosses(PublishError):
    """The version would take stores, levels, facilities, kiosk points or routes away from the
    kiosks, and no manager confirmed exactly this loss; nothing was published. `losses` names
    them, `fingerprint` is what a manager's confirmation must carry, `needs_manager` says that
    a confirmation was given by someone who may not give it."""

    def __init__(self, losses: Losses, *, needs_manager: bool = False):
        self.losses = losses
        self.fingerprint = losses.fingerprint()
        self.needs_manager = needs_manager
        super().__init__(losses.lines())


# ---------------------------------------------------------------- translated fields
LANGUAGE_SUFFIXES = (("zh_CN", "zh_cn"), ("en", "en"), ("zh_TW", "zh_tw"))


def read_i18n(row: object, field_name: str) -> I18nText:
    """`name_zh_cn`, `name_en`, `name_zh_tw` of a row as one I18nText."""
    return I18nText(**{lang: getattr(row, f"{field_name}_{suffix}") or "" for lang, suffix in LANGUAGE_SUFFIXES})


def read_optional_i18n(row: object, field_name: str) -> I18nText | None:
    text = read_i18n(row, field_name)
    return text if (text.zh_CN or text.en or text.zh_TW) else None


def i18n_columns(field_name: str, text: I18nText | None) -> dict[str, str]:
    """The row columns for one translated field (all empty for None)."""
    return {
        f"{field_name}_{suffix}": (getattr(text, lang) if text is not None else "") or ""
        for lang, suffix in LANGUAGE_SUFFIXES
    }


# ---------------------------------------------------------------- blobs
def store_blob(data: bytes, media_type: str, *, expected_sha256: str | None = None) -> Blob:
    """Store bytes under their SHA-256 (once: the same bytes twice are one blob).

    `expected_sha256` is checked against the bytes, so a corrupted bundle is refused rather
    than published under a wrong address.
    """
    media_type = (media_type or "").split(";")[0].strip().lower()
    if media_type not in BLOB_MEDIA_TYPES:
        raise ContentError(f"media type {media_type!r} is not allowed for a blob")
    if len(data) > settings.MAX_BLOB_BYTES:
        raise ContentError(f"blob of {len(data)} bytes exceeds the limit of {settings.MAX_BLOB_BYTES}")
    digest = sha256_hex(data)
    if expected_sha256 is not None and expected_sha256 != digest:
        raise ContentError(f"blob {expected_sha256} does not match its bytes (sha256 {digest})")
    return blob_store.save(digest, data, media_type)


def read_blob(sha256: str) -> tuple[bytes, str] | None:
    """(bytes, media type) of a blob, or None when no blob has that hash."""
    return blob_store.read(sha256)


def is_sha256(value: str) -> bool:
    return bool(SHA256_RE.match(value or ""))


# ---------------------------------------------------------------- import
@dataclass
class ImportResult:
    mall: Mall
    counts: dict[str, int] = field(default_factory=dict)
    """Rows now in the draft, per kind."""
    removed: dict[str, int] = field(default_factory=dict)
    """Draft rows deleted because the bundle no longer has them, per kind."""


def _sync_rows(model, mall: Mall, items: list[tuple[str, dict]]) -> tuple[dict[str, object], int]:
    """Make the mall's rows of `model` exactly `items` ((content_id, columns) in order).

    Existing rows are updated in place (same primary key, so references from other rows and
    from the admin history survive); missing ones are created. Returns the rows by content id
    and how many stale rows are left for the caller to delete in dependency order.
    """
    existing = {row.content_id: row for row in model.objects.filter(mall=mall)}
    rows: dict[str, object] = {}
    for position, (content_id, columns) in enumerate(items):
        columns = {**columns, "position": position}
        row = existing.get(content_id)
        if row is None:
            row = model.objects.create(mall=mall, content_id=content_id, **columns)
        else:
            changed = [name for name, value in columns.items() if _column_value(row, name, value) != value]
            for name in changed:
                setattr(row, name, columns[name])
            if changed:
                row.save(update_fields=changed)
        rows[content_id] = row
    return rows, len(set(existing) - set(rows))


def _column_value(row, name: str, new_value):
    """The row's current value of a column, comparable with `new_value` without a query."""
    if isinstance(new_value, models.Model) or (new_value is None and hasattr(row, f"{name}_id")):
        current_pk = getattr(row, f"{name}_id")
        if new_value is None:
            return None if current_pk is None else row  # anything but None means "changed"
        return new_value if current_pk == new_value.pk else None
    return getattr(row, name)


def _delete_stale(model, mall: Mall, keep: dict[str, object]) -> int:
    deleted, _ = model.objects.filter(mall=mall).exclude(content_id__in=list(keep)).delete()
    return deleted


@transaction.atomic
def import_mall_content(content: MallContent, blobs: dict[str, tuple[bytes, str]]) -> ImportResult:
    """Make the draft of `content.mall.id` equal to `content`, storing `blobs` (sha256 → bytes, type).

    Idempotent: importing the same bundle again changes nothing; a changed bundle updates rows
    in place, and rows the bundle no longer has are removed from the draft.
    """
    for sha256, (data, media_type) in blobs.items():
        store_blob(data, media_type, expected_sha256=sha256)

    source = content.mall
    mall, _ = Mall.objects.get_or_create(id=source.id, defaults={"name_zh_cn": source.name.zh_CN})
    mall_columns = {
        **i18n_columns("name", source.name),
        "timezone": source.timezone,
        "hours": [r.model_dump(mode="json") for r in source.hours],
        "service_desk_id": source.service_desk_id or "",
        "phone": source.phone,
        "closed_connectors": list(content.closed_connectors),
    }
    for name, value in mall_columns.items():
        setattr(mall, name, value)
    mall.save()

    levels, stale_levels = _sync_rows(Level, mall, [
        (level.id, {
            "short_name": level.short_name, "ordinal": level.ordinal, **i18n_columns("name", level.name),
            "width_m": level.width_m, "height_m": level.height_m,
            "plan": [shape.model_dump(mode="json") for shape in level.plan],
        })
        for level in content.levels
    ])
    categories, stale_categories = _sync_rows(Category, mall, [
        (category.id, {**i18n_columns("name", category.name), "icon": category.icon})
        for category in content.categories
    ])
    problems = [
        f"store {store.id}: unknown {kind} {ref}"
        for store in content.stores
        for kind, ref, known in (("level", store.level_id, levels), ("category", store.category_id, categories))
        if ref not in known
    ]
    problems += [
        f"{kind} {item.id}: unknown level {item.level_id}"
        for kind, items in (("facility", content.facilities), ("kiosk point", content.kiosks))
        for item in items
        if item.level_id not in levels
    ]
    store_ids = {store.id for store in content.stores}
    problems += [
        f"promotion {promotion.id}: unknown {kind} {ref}"
        for promotion in content.promotions
        for kind, ref, known in (("store", promotion.store_id, store_ids),
                                 ("category", promotion.category_id, categories))
        if ref is not None and ref not in known
    ]
    if problems:
        raise ContentError(problems)

    stores, stale_stores = _sync_rows(Store, mall, [
        (store.id, {
            **i18n_columns("name", store.name), "category": categories[store.category_id],
            "level": levels[store.level_id], "unit": store.unit, "node_id": store.node_id,
            "hours": [r.model_dump(mode="json") for r in store.hours], "phone": store.phone,
            **i18n_columns("description", store.description), "logo_sha256": store.logo_sha256 or "",
            "keywords": list(store.keywords),
        })
        for store in content.stores
    ])
    facilities, stale_facilities = _sync_rows(Facility, mall, [
        (facility.id, {
            "kind": facility.kind, **i18n_columns("name", facility.name), "level": levels[facility.level_id],
            "node_id": facility.node_id, "unit": facility.unit,
        })
        for facility in content.facilities
    ])
    promotions, stale_promotions = _sync_rows(Promotion, mall, [
        (promotion.id, {
            **i18n_columns("title", promotion.title), **i18n_columns("text", promotion.text),
            "image_sha256": promotion.image_sha256,
            "store": stores[promotion.store_id] if promotion.store_id else None,
            "category": categories[promotion.category_id] if promotion.category_id else None,
            "starts_on": promotion.starts_on, "ends_on": promotion.ends_on,
            "weekdays": list(promotion.weekdays), "hours_from": promotion.hours_from,
            "hours_to": promotion.hours_to, "priority": promotion.priority,
            "target_level_ids": list(promotion.target.level_ids),
            "target_kiosk_ids": list(promotion.target.kiosk_ids),
        })
        for promotion in content.promotions
    ])
    kiosk_points, stale_points = _sync_rows(KioskPoint, mall, [
        (point.id, {
            **i18n_columns("name", point.name), "level": levels[point.level_id],
            "node_id": point.node_id, "heading_deg": point.heading_deg,
        })
        for point in content.kiosks
    ])
    PathGraph.objects.update_or_create(mall=mall, defaults={
        "nodes": [node.model_dump(mode="json") for node in content.graph.nodes],
        "edges": [edge.model_dump(mode="json") for edge in content.graph.edges],
    })

    # Stale rows go children first, so PROTECTed references never block the deletion.
    removed = {
        "promotions": _delete_stale(Promotion, mall, promotions) if stale_promotions else 0,
        "stores": _delete_stale(Store, mall, stores) if stale_stores else 0,
        "facilities": _delete_stale(Facility, mall, facilities) if stale_facilities else 0,
        "kiosk_points": _delete_stale(KioskPoint, mall, kiosk_points) if stale_points else 0,
        "categories": _delete_stale(Category, mall, categories) if stale_categories else 0,
        "levels": _delete_stale(Level, mall, levels) if stale_levels else 0,
    }
    counts = {
        "levels": len(levels), "categories": len(categories), "stores": len(stores),
        "facilities": len(facilities), "promotions": len(promotions), "kiosk_points": len(kiosk_points),
        "graph_nodes": len(content.graph.nodes), "graph_edges": len(content.graph.edges), "blobs": len(blobs),
    }
    return ImportResult(mall=mall, counts=counts, removed=removed)


# ---------------------------------------------------------------- build and validate
def _rows(model, mall: Mall):
    return model.objects.filter(mall=mall).order_by("position", "content_id")


def build_mall_content(mall: Mall) -> tuple[MallContent | None, list[str]]:
    """The stored draft of `mall` as MallContent, or None and the problems that prevent building it."""
    mall = Mall.objects.get(pk=mall.pk)  # the saved draft, not whatever an instance holds in memory
    problems: list[str] = []
    level_ids = {}
    levels = []
    for row in Level.objects.filter(mall=mall).order_by("ordinal", "position", "content_id"):
        level_ids[row.pk] = row.content_id
        try:
            levels.append(protocol.Level(
                id=row.content_id, short_name=row.short_name, ordinal=row.ordinal, name=read_i18n(row, "name"),
                width_m=row.width_m, height_m=row.height_m, plan=row.plan or [],
            ))
        except PydanticValidationError as error:
            problems.append(f"level {row.content_id}: {_summarize(error)}")
    category_ids = {}
    categories = []
    for row in _rows(Category, mall):
        category_ids[row.pk] = row.content_id
        categories.append(protocol.Category(id=row.content_id, name=read_i18n(row, "name"), icon=row.icon))

    def level_of(kind: str, row) -> str:
        if row.level_id not in level_ids:
            problems.append(f"{kind} {row.content_id}: its level {row.level} belongs to another mall")
            return ""
        return level_ids[row.level_id]

    stores = []
    for row in _rows(Store, mall).select_related("level", "category"):
        if row.category_id not in category_ids:
            problems.append(f"store {row.content_id}: its category {row.category} belongs to another mall")
        try:
            stores.append(protocol.Store(
                id=row.content_id, name=read_i18n(row, "name"), category_id=category_ids.get(row.category_id, ""),
                level_id=level_of("store", row), unit=row.unit, node_id=row.node_id, hours=row.hours or [],
                phone=row.phone, description=read_optional_i18n(row, "description"),
                logo_sha256=row.logo_sha256 or None, keywords=row.keywords or [],
            ))
        except PydanticValidationError as error:
            problems.append(f"store {row.content_id}: {_summarize(error)}")
    facilities = []
    for row in _rows(Facility, mall).select_related("level"):
        try:
            facilities.append(protocol.Facility(
                id=row.content_id, kind=row.kind, name=read_i18n(row, "name"),
                level_id=level_of("facility", row), node_id=row.node_id, unit=row.unit,
            ))
        except PydanticValidationError as error:
            problems.append(f"facility {row.content_id}: {_summarize(error)}")
    store_ids = {row.pk: row.content_id for row in _rows(Store, mall).only("pk", "content_id")}
    promotions = []
    for row in _rows(Promotion, mall):
        if row.store_id is not None and row.store_id not in store_ids:
            problems.append(f"promotion {row.content_id}: its store belongs to another mall")
        if row.category_id is not None and row.category_id not in category_ids:
            problems.append(f"promotion {row.content_id}: its category belongs to another mall")
        try:
            promotions.append(protocol.Promotion(
                id=row.content_id, title=read_i18n(row, "title"), text=read_i18n(row, "text"),
                image_sha256=row.image_sha256, store_id=store_ids.get(row.store_id),
                category_id=category_ids.get(row.category_id), starts_on=row.starts_on, ends_on=row.ends_on,
                weekdays=row.weekdays, hours_from=row.hours_from, hours_to=row.hours_to, priority=row.priority,
                target=protocol.PromotionTarget(level_ids=row.target_level_ids or [],
                                                kiosk_ids=row.target_kiosk_ids or []),
            ))
        except PydanticValidationError as error:
            problems.append(f"promotion {row.content_id}: {_summarize(error)}")
    kiosk_points = []
    for row in _rows(KioskPoint, mall).select_related("level"):
        kiosk_points.append(protocol.KioskPoint(
            id=row.content_id, name=read_i18n(row, "name"), level_id=level_of("kiosk point", row),
            node_id=row.node_id, heading_deg=row.heading_deg,
        ))
    graph_row = PathGraph.objects.filter(mall=mall).first()
    try:
        graph = protocol.PathGraph(
            nodes=graph_row.nodes if graph_row else [], edges=graph_row.edges if graph_row else []
        )
    except PydanticValidationError as error:
        problems.append(f"path graph: {_summarize(error)}")
        graph = None
    try:
        mall_model = protocol.Mall(
            id=mall.id, name=read_i18n(mall, "name"), timezone=mall.timezone, hours=mall.hours or [],
            service_desk_id=mall.service_desk_id or None, phone=mall.phone,
        )
    except PydanticValidationError as error:
        problems.append(f"mall {mall.id}: {_summarize(error)}")
        mall_model = None
    if problems or graph is None or mall_model is None:
        return None, problems
    content = MallContent(
        mall=mall_model, levels=levels, categories=categories, stores=stores, facilities=facilities,
        promotions=promotions, graph=graph, kiosks=kiosk_points, closed_connectors=list(mall.closed_connectors or []),
    )
    return content, []


def _summarize(error: PydanticValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'value'}: {item['msg']}" for item in error.errors()
    )


def referenced_blob_hashes(content: MallContent) -> set[str]:
    """Every blob the document names: store logos, promotion images, icons given as hashes."""
    hashes = {store.logo_sha256 for store in content.stores if store.logo_sha256}
    hashes |= {promotion.image_sha256 for promotion in content.promotions}
    hashes |= {category.icon for category in content.categories if is_sha256(category.icon)}
    return hashes


def validate_mall_content(content: MallContent) -> list[str]:
    """Every reason this content must not reach a kiosk, one line each (empty: publishable).

    The content rules (references, path graph, walkways in one piece per level, every store
    reachable step-free from every kiosk point, promotion schedules) are `sync.bundle`'s, the
    same checks the demo-mall tooling runs; `venue.routing` adds the map's reach per route
    profile and the ways back (step-free reach is sync.bundle's already); the server adds what
    only it knows: whether every image the content names is in the blob store.
    """
    problems = list(validate_content(content)) + reachability_problems(content, step_free_reach=False)
    if not content.levels:
        problems.insert(0, "the mall has no levels")
    present = set(Blob.objects.filter(pk__in=referenced_blob_hashes(content)).values_list("pk", flat=True))
    for store in content.stores:
        if store.logo_sha256 and store.logo_sha256 not in present:
            problems.append(f"store {store.id}: logo {store.logo_sha256} is not in the blob store")
    for promotion in content.promotions:
        if promotion.image_sha256 not in present:
            problems.append(f"promotion {promotion.id}: image {promotion.image_sha256} is not in the blob store")
    for category in content.categories:
        if is_sha256(category.icon) and category.icon not in present:
            problems.append(f"category {category.id}: icon {category.icon} is not in the blob store")
    return problems


# ---------------------------------------------------------------- publish
@dataclass
class PublishResult:
    version: ContentVersion
    created: bool
    """False when `only_if_changed` found the draft equal to the newest version."""


def document_bytes(content: MallContent) -> bytes:
    """The canonical JSON of a document: the same draft always gives the same bytes and hash."""
    return json.dumps(content.model_dump(mode="json"), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def publish(mall: Mall, user=None, *, only_if_changed: bool = False,
            content: MallContent | None = None, confirm_losses: str = "") -> PublishResult:
    """Validate the draft of `mall` (or `content`, when given) and publish it as version N+1.

    `content` is for a closure, which republishes the newest version with another closure list
    rather than whatever the draft holds; it passes the same checks as a draft.
    Raises PublishError (nothing stored) when the document does not validate. Two publishes of
    the same mall at once are serialized by a lock on the mall row (PostgreSQL) or by SQLite's
    single writer, and the (mall, version) constraint backs that up: each gets its own N.
    With `only_if_changed`, a draft whose document equals the newest version's is not
    published again (the demo seeding relies on this to stay idempotent).
    A version that loses anything against the live one (`guard.losses_between`) raises
    UnconfirmedLosses unless `confirm_losses` is that loss's fingerprint and `user` may confirm
    it (a manager of the mall or an administrator); the confirmation goes to the audit log.
    """
    problems: list[str] = []
    if content is None:
        content, problems = build_mall_content(mall)
    if content is not None:
        problems = validate_mall_content(content)
    if problems:
        raise PublishError(problems)
    document = document_bytes(content)
    document_sha256 = sha256_hex(document)
    with transaction.atomic():
        Mall.objects.select_for_update().filter(pk=mall.pk).first()
        latest = ContentVersion.objects.filter(mall=mall).order_by("-version").first()
        if only_if_changed and latest is not None and latest.document_sha256 == document_sha256:
            return PublishResult(version=latest, created=False)
        losses = _losses_against(latest, content, document_sha256)
        if losses:
            if confirm_losses != losses.fingerprint():
                raise UnconfirmedLosses(losses)
            if not may_confirm_losses(user, mall):
                raise UnconfirmedLosses(losses, needs_manager=True)
        document_blob = store_blob(document, DOCUMENT_MEDIA_TYPE)
        referenced = Blob.objects.filter(pk__in=referenced_blob_hashes(content)).order_by("pk")
        number = (ContentVersion.objects.filter(mall=mall).aggregate(n=Max("version"))["n"] or 0) + 1
        now = timezone.now()
        # Milliseconds, as JSON carries them: the manifest served equals the manifest stored.
        published_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
        manifest = ContentManifest(
            mall_id=mall.id,
            version=number,
            published_at=published_at,
            document=BlobRef(sha256=document_blob.sha256, size=document_blob.size, media_type=DOCUMENT_MEDIA_TYPE),
            blobs=[BlobRef(sha256=b.sha256, size=b.size, media_type=b.media_type)
                   for b in referenced.only("sha256", "size", "media_type")],
        )
        version = ContentVersion.objects.create(
            mall=mall, version=number, manifest=manifest.model_dump(mode="json"), etag=manifest.etag(),
            document_sha256=document_sha256, published_at=published_at,
            published_by=user if getattr(user, "pk", None) else None,
        )
        if losses:
            record_audit(user, "content.publish_confirmed_loss", mall=mall, subject=f"v{number}",
                         detail=f"confirmed {losses.fingerprint()}: " + "; ".join(losses.lines()))
    return PublishResult(version=version, created=True)


def _losses_against(latest: ContentVersion | None, content: MallContent, document_sha256: str) -> Losses:
    """What `content` loses against the live version `latest` (nothing when none is live)."""
    if latest is None:
        return losses_between(None, content)
    found = read_blob(latest.document_sha256)
    live = MallContent.model_validate_json(found[0]) if found is not None else None
    return losses_between(live, content, basis=f"v{latest.version}:{document_sha256}")


def current_version(mall_id: str) -> ContentVersion | None:
    """The newest published version of a mall (what every kiosk of the mall should show)."""
    return ContentVersion.objects.filter(mall_id=mall_id).order_by("-version").first()


def manifest_of(version: ContentVersion) -> ContentManifest:
    return ContentManifest.model_validate(version.manifest)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak or strong, or "*")."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False
