"""Mall content: the draft staff edit, and the immutable versions published from it.

Draft rows mirror `sync.protocol.MallContent` one table per kind. Each row keeps the id it has
in the published content (`content_id`, e.g. "s-starbucks") unique within its mall, so imports
update rows instead of duplicating them and kiosks see stable ids across versions.

Blobs (images, published documents) are addressed by SHA-256. By default their bytes are stored
in the database: the server is then stateless apart from its database, any number of servers
behind a load balancer serve every blob without a shared file system, and a publish (document
blob + version row) commits atomically. A mall whose pictures outgrow the database puts the bytes
in an S3-compatible bucket instead (server/content/blob_store.py); the row keeps hash, type and
size either way. Blobs are immutable, so a reverse proxy caches them forever and the server
serves each one about once per proxy.
"""
from __future__ import annotations

from typing import get_args

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sync.protocol import SHA256_RE, FacilityKind

content_id_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
    _("Letters, digits and - _ . : only, starting with a letter or digit."),
)
sha256_validator = RegexValidator(SHA256_RE.pattern, _("A SHA-256 in lowercase hex (64 characters)."))
time_of_day_validator = RegexValidator(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", _("HH:MM, 00:00 to 24:00."))


def empty_list() -> list:
    return []


def all_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4, 5, 6]


class MallRow(models.Model):
    """A draft row of one mall, known in published content by `content_id`."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, verbose_name=_("mall"))
    content_id = models.CharField(_("id"), max_length=64, validators=[content_id_validator])
    position = models.IntegerField(
        _("position"), default=0, help_text=_("Order in lists on the kiosk (smaller first).")
    )

    class Meta:
        abstract = True
        ordering = ["mall", "position", "content_id"]
        constraints = [
            models.UniqueConstraint(fields=["mall", "content_id"], name="%(app_label)s_%(class)s_unique_id"),
        ]

    def __str__(self) -> str:
        name = getattr(self, "name_zh_cn", "") or getattr(self, "title_zh_cn", "")
        return f"{self.content_id} {name}".strip()


class Level(MallRow):
    short_name = models.CharField(_("short name"), max_length=16, help_text=_("As on the lift buttons: B1, 1F."))
    ordinal = models.IntegerField(_("ordinal"), help_text=_("Vertical order: B1 = -1, 1F = 0, 2F = 1."))
    name_zh_cn = models.CharField(_("name (Simplified Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh_tw = models.CharField(_("name (Traditional Chinese)"), max_length=200, blank=True)
    width_m = models.FloatField(_("width (m)"))
    height_m = models.FloatField(_("height (m)"))
    plan = models.JSONField(
        _("floor plan shapes"), default=empty_list, blank=True,
        help_text=_("PlanShape objects of the sync protocol: kind, polygon, label, ref."),
    )

    class Meta(MallRow.Meta):
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["mall", "ordinal", "content_id"]

    def __str__(self) -> str:
        return f"{self.short_name} {self.name_zh_cn}"


class Category(MallRow):
    name_zh_cn = models.CharField(_("name (Simplified Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh_tw = models.CharField(_("name (Traditional Chinese)"), max_length=200, blank=True)
    icon = models.CharField(_("icon"), max_length=64, blank=True)

    class Meta(MallRow.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class Store(MallRow):
    name_zh_cn = models.CharField(_("name (Simplified Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh_tw = models.CharField(_("name (Traditional Chinese)"), max_length=200, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="stores", verbose_name=_("category"))
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="stores", verbose_name=_("level"))
    unit = models.CharField(_("unit"), max_length=32, help_text=_("As printed at the door: 3F-12."))
    node_id = models.CharField(_("path node"), max_length=64, help_text=_("The path-graph node at the store's door."))
    hours = models.JSONField(
        _("opening hours"), default=empty_list, blank=True, help_text=_("Empty means the mall's hours.")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    description_zh_cn = models.TextField(_("description (Simplified Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_tw = models.TextField(_("description (Traditional Chinese)"), blank=True)
    logo_sha256 = models.CharField(
        _("logo (blob SHA-256)"), max_length=64, blank=True, validators=[sha256_validator]
    )
    keywords = models.JSONField(_("search keywords"), default=empty_list, blank=True)

    class Meta(MallRow.Meta):
        verbose_name = _("store")
        verbose_name_plural = _("stores")


class Facility(MallRow):
    kind = models.CharField(
        _("kind"), max_length=32, choices=[(kind, kind.replace("_", " ")) for kind in get_args(FacilityKind)]
    )
    name_zh_cn = models.CharField(_("name (Simplified Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh_tw = models.CharField(_("name (Traditional Chinese)"), max_length=200, blank=True)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("level"))
    node_id = models.CharField(_("path node"), max_length=64)
    unit = models.CharField(_("unit"), max_length=32, blank=True)

    class Meta(MallRow.Meta):
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")


class Promotion(MallRow):
    title_zh_cn = models.CharField(_("title (Simplified Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh_tw = models.CharField(_("title (Traditional Chinese)"), max_length=200, blank=True)
    text_zh_cn = models.TextField(_("text (Simplified Chinese)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_zh_tw = models.TextField(_("text (Traditional Chinese)"), blank=True)
    image_sha256 = models.CharField(_("image (blob SHA-256)"), max_length=64, validators=[sha256_validator])
    store = models.ForeignKey(
        Store, on_delete=models.SET_NULL, null=True, blank=True, related_name="promotions", verbose_name=_("store")
    )
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="promotions",
        verbose_name=_("category"),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    weekdays = models.JSONField(_("weekdays"), default=all_weekdays, help_text=_("0 is Monday."))
    hours_from = models.CharField(_("shown from"), max_length=5, default="00:00", validators=[time_of_day_validator])
    hours_to = models.CharField(_("shown until"), max_length=5, default="24:00", validators=[time_of_day_validator])
    priority = models.IntegerField(_("priority"), default=0)
    target_level_ids = models.JSONField(
        _("only on levels"), default=empty_list, blank=True, help_text=_("Level ids; empty means every level.")
    )
    target_kiosk_ids = models.JSONField(
        _("only at kiosk points"), default=empty_list, blank=True,
        help_text=_("Kiosk point ids; empty means every kiosk."),
    )

    class Meta(MallRow.Meta):
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")


class KioskPoint(MallRow):
    """A place where a kiosk stands: its start point on the map."""

    name_zh_cn = models.CharField(_("name (Simplified Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh_tw = models.CharField(_("name (Traditional Chinese)"), max_length=200, blank=True)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="kiosk_points", verbose_name=_("level"))
    node_id = models.CharField(_("path node"), max_length=64)
    heading_deg = models.FloatField(
        _("heading (degrees)"), default=0.0,
        help_text=_("Which way the visitor faces, clockwise from the map's up."),
    )

    class Meta(MallRow.Meta):
        verbose_name = _("kiosk point")
        verbose_name_plural = _("kiosk points")


class PathGraph(models.Model):
    """The walkable network of a mall (nodes and edges of the sync protocol), one per mall.

    Kept as JSON rather than one row per node: it is edited and published as a whole (by
    import or a map tool), and a large mall has ~10,000 nodes, which one JSON value holds well.
    """

    mall = models.OneToOneField("malls.Mall", on_delete=models.CASCADE, primary_key=True, related_name="path_graph")
    nodes = models.JSONField(_("nodes"), default=empty_list, blank=True)
    edges = models.JSONField(_("edges"), default=empty_list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("path graph")
        verbose_name_plural = _("path graphs")

    def __str__(self) -> str:
        return f"{self.mall_id}: {len(self.nodes)} nodes, {len(self.edges)} edges"


class Blob(models.Model):
    """Immutable bytes addressed by their SHA-256 (see the module docstring for where they live)."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, primary_key=True, validators=[sha256_validator])
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    data = models.BinaryField(
        _("data"), null=True, blank=True,
        help_text=_("The bytes, when they are kept in the database; empty (NULL) when they are in the bucket."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("blob")
        verbose_name_plural = _("blobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… {self.media_type} {self.size} B"


class ContentVersion(models.Model):
    """One published, immutable version of a mall's content: what kiosks download."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.PROTECT, related_name="versions", verbose_name=_("mall"))
    version = models.PositiveIntegerField(_("version"))
    manifest = models.JSONField(_("manifest"))
    etag = models.CharField(_("ETag"), max_length=120)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="published_versions", verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")
        ordering = ["mall", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["mall", "version"], name="content_version_unique_per_mall"),
        ]

    def __str__(self) -> str:
        return f"{self.mall_id} v{self.version}"
