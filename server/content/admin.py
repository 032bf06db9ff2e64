"""Content editing in the admin: every draft kind with its translations side by side,
image uploads into the blob store, and a Publish action that runs the publish validation."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from server.content import blob_store, services
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
from server.core.uploads import ImageRefused, accept_image, read_upload
from server.malls.admin import MallScopedAdmin
from server.malls.models import Mall

NAME_FIELDS = ("name_zh_cn", "name_en", "name_zh_tw")


@admin.register(Mall)
class MallAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("id", *NAME_FIELDS, "timezone", "latest_version")
    search_fields = ("id", *NAME_FIELDS)
    fieldsets = (
        (None, {"fields": ("id", "timezone", "phone", "service_desk_id")}),
        (_("Name"), {"fields": NAME_FIELDS}),
        (_("Hours and operations"), {"fields": ("hours", "closed_connectors")}),
        (_("Retention"), {"fields": ("content_versions_kept",)}),
    )
    actions = ["publish_selected"]

    def get_readonly_fields(self, request, obj=None):
        return ("id",) if obj else ()

    @admin.display(description=_("published version"))
    def latest_version(self, mall: Mall):
        version = services.current_version(mall.id)
        return version.version if version else "—"

    @admin.action(description=_("Publish the draft of the selected malls"), permissions=["change"])
    def publish_selected(self, request, queryset):
        for mall in queryset:
            try:
                result = services.publish(mall, request.user, only_if_changed=True)
            except services.UnconfirmedLosses as refused:
                self.message_user(request, _("%(mall)s was not published: it takes away what the kiosks show now "
                                             "(%(losses)s). A manager of the mall confirms this in the console "
                                             "(Maps and closures, Publish the draft).")
                                  % {"mall": mall.id, "losses": "; ".join(refused.problems)}, messages.ERROR)
                continue
            except services.PublishError as error:
                shown = "; ".join(error.problems[:10])
                more = len(error.problems) - 10
                if more > 0:
                    shown += f" … (+{more})"
                self.message_user(request, _("%(mall)s was not published: %(problems)s")
                                  % {"mall": mall.id, "problems": shown}, messages.ERROR)
                continue
            if result.created:
                self.message_user(request, _("%(mall)s published as version %(version)d.")
                                  % {"mall": mall.id, "version": result.version.version}, messages.SUCCESS)
            else:
                self.message_user(request, _("%(mall)s: nothing changed since version %(version)d.")
                                  % {"mall": mall.id, "version": result.version.version}, messages.INFO)


class MallRowAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_filter = ("mall",)
    ordering = ("mall", "position", "content_id")
    list_per_page = 100


@admin.register(Level)
class LevelAdmin(MallRowAdmin):
    list_display = ("content_id", "mall", "short_name", "ordinal", *NAME_FIELDS)
    search_fields = ("content_id", "short_name", *NAME_FIELDS)
    ordering = ("mall", "ordinal")


@admin.register(Category)
class CategoryAdmin(MallRowAdmin):
    list_display = ("content_id", "mall", "position", *NAME_FIELDS, "icon")
    list_editable = ("position",)
    search_fields = ("content_id", *NAME_FIELDS)


@admin.register(Store)
class StoreAdmin(MallRowAdmin):
    list_display = ("content_id", "mall", *NAME_FIELDS, "level", "unit", "category")
    list_filter = ("mall", "level", "category")
    search_fields = ("content_id", "unit", *NAME_FIELDS)
    autocomplete_fields = ("level", "category")
    fieldsets = (
        (None, {"fields": ("mall", "content_id", "position", "category", "level", "unit", "node_id", "phone")}),
        (_("Name"), {"fields": NAME_FIELDS}),
        (pgettext_lazy("store", "Description"),
         {"fields": ("description_zh_cn", "description_en", "description_zh_tw")}),
        (_("More"), {"fields": ("hours", "logo_sha256", "keywords")}),
    )


@admin.register(Facility)
class FacilityAdmin(MallRowAdmin):
    list_display = ("content_id", "mall", "kind", *NAME_FIELDS, "level", "unit")
    list_filter = ("mall", "kind", "level")
    search_fields = ("content_id", *NAME_FIELDS)
    autocomplete_fields = ("level",)


@admin.register(Promotion)
class PromotionAdmin(MallRowAdmin):
    list_display = ("content_id", "mall", "title_zh_cn", "title_en", "title_zh_tw", "starts_on", "ends_on", "priority")
    list_filter = ("mall", "starts_on")
    search_fields = ("content_id", "title_zh_cn", "title_en", "title_zh_tw")
    autocomplete_fields = ("store", "category")
    fieldsets = (
        (None, {"fields": ("mall", "content_id", "position", "priority", "image_sha256", "store", "category")}),
        (_("Title"), {"fields": ("title_zh_cn", "title_en", "title_zh_tw")}),
        (_("Text"), {"fields": ("text_zh_cn", "text_en", "text_zh_tw")}),
        (_("Schedule"), {"fields": ("starts_on", "ends_on", "weekdays", "hours_from", "hours_to")}),
        (pgettext_lazy("promotion targeting", "Where"), {"fields": ("target_level_ids", "target_kiosk_ids")}),
    )


@admin.register(KioskPoint)
class KioskPointAdmin(MallRowAdmin):
    list_display = ("content_id", "mall", *NAME_FIELDS, "level", "node_id", "heading_deg")
    search_fields = ("content_id", *NAME_FIELDS)
    autocomplete_fields = ("level",)


@admin.register(PathGraph)
class PathGraphAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("mall", "node_count", "edge_count", "updated_at")

    @admin.display(description=_("nodes"))
    def node_count(self, graph: PathGraph) -> int:
        return len(graph.nodes)

    @admin.display(description=_("edges"))
    def edge_count(self, graph: PathGraph) -> int:
        return len(graph.edges)


SVG_MEDIA_TYPE = "image/svg+xml"
BLOB_PICTURE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "AVIF")


class BlobUploadForm(forms.ModelForm):
    """A picture is accepted by server.core.uploads (bounded, re-encoded without metadata) and
    stored as what it proved to be; an SVG, which the server never decodes, only has its size capped."""

    upload = forms.FileField(label=_("file"), help_text=_("An image (PNG, JPEG, WebP, GIF, SVG, AVIF)."))

    class Meta:
        model = Blob
        fields: list[str] = []

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        try:
            data = read_upload(upload, settings.MAX_BLOB_BYTES)
            if (upload.content_type or "").split(";")[0].strip().lower() == SVG_MEDIA_TYPE:
                media_type = SVG_MEDIA_TYPE
            else:
                picture = accept_image(data, max_bytes=settings.MAX_BLOB_BYTES, formats=BLOB_PICTURE_FORMATS)
                data, media_type = picture.data, picture.media_type
            self.stored_blob = services.store_blob(data, media_type)
        except ImageRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None
        except services.ContentError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


@admin.register(Blob)
class BlobAdmin(admin.ModelAdmin):
    """Upload images; the blob's SHA-256 is what stores and promotions refer to."""

    list_display = ("sha256", "media_type", "size", "created_at")
    search_fields = ("sha256",)
    list_filter = ("media_type",)
    readonly_fields = ("sha256", "media_type", "size", "created_at")
    exclude = ("data",)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = BlobUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["upload"] if obj is None else list(self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        # The upload form stored the blob already (content-addressed: the same bytes once).
        obj.pk = form.stored_blob.pk
        obj.sha256 = form.stored_blob.sha256
        self.message_user(request, _("Stored as %(sha)s") % {"sha": form.stored_blob.sha256}, messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    def delete_model(self, request, obj):
        blob_store.delete(Blob.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        blob_store.delete(queryset)

    def render_change_form(self, request, context, *args, **kwargs):
        response = super().render_change_form(request, context, *args, **kwargs)
        if context["adminform"].form.errors:  # a refused upload is the client's error, said as such
            response.status_code = 400
        return response


@admin.register(ContentVersion)
class ContentVersionAdmin(MallScopedAdmin, admin.ModelAdmin):
    """Published versions are immutable: view only."""

    list_display = ("mall", "version", "published_at", "published_by", "etag")
    list_filter = ("mall",)
    readonly_fields = ("mall", "version", "published_at", "published_by", "etag", "document_sha256", "manifest")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
