"""The fleet in the admin: kiosks with their last heartbeat, revocation, commands, and
enrollment codes (the code is shown once, when it is created)."""
from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from server.fleet import services
from server.fleet.models import EnrollmentCode, IssuedKioskCode, Kiosk
from server.malls.admin import MallScopedAdmin


@admin.register(Kiosk)
class KioskAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = (
        "code", "name", "mall", "location_id", "last_seen_at", "content_version", "outbox_depth",
        "app_version", "revoked_at",
    )
    list_filter = ("mall", "revoked_at")
    search_fields = ("code", "name", "hostname", "location_id")
    readonly_fields = (
        "id", "code", "mall", "hostname", "enrolled_at", "last_seen_at", "heartbeat_at", "heartbeat_sent_at",
        "app_version", "content_version", "outbox_depth", "last_errors", "uptime_s", "disk_free_bytes",
        "revoked_at",
    )
    fields = ("name", "location_id", *readonly_fields, "pending_commands")
    actions = ["revoke", "reload", "sync_now"]

    def has_add_permission(self, request):
        return False  # kiosks join by enrolling with a code

    @admin.action(description=_("Revoke the device key of the selected kiosks"), permissions=["change"])
    def revoke(self, request, queryset):
        for kiosk in queryset:
            services.revoke_kiosk(kiosk)
        self.message_user(request, _("Revoked %(n)d kiosks.") % {"n": queryset.count()}, messages.SUCCESS)

    @admin.action(description=_("Tell the selected kiosks to reload"), permissions=["change"])
    def reload(self, request, queryset):
        for kiosk in queryset:
            services.queue_command(kiosk, "reload")
        self.message_user(request, _("Reload queued for %(n)d kiosks.") % {"n": queryset.count()})

    @admin.action(description=_("Tell the selected kiosks to sync now"), permissions=["change"])
    def sync_now(self, request, queryset):
        for kiosk in queryset:
            services.queue_command(kiosk, "sync_now")
        self.message_user(request, _("Sync queued for %(n)d kiosks.") % {"n": queryset.count()})


class EnrollmentCodeForm(forms.ModelForm):
    valid_hours = forms.IntegerField(label=_("valid for (hours)"), min_value=1, max_value=24 * 30, initial=72)

    class Meta:
        model = EnrollmentCode
        fields = ("mall", "location_id")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mall") is not None:
            try:
                services.check_location(cleaned["mall"], cleaned.get("location_id") or "")
            except ValueError as error:
                raise forms.ValidationError(str(error)) from error
        return cleaned


@admin.register(EnrollmentCode)
class EnrollmentCodeAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("mall", "location_id", "created_at", "expires_at", "used_at", "kiosk", "created_by")
    list_filter = ("mall",)
    form = EnrollmentCodeForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["mall", "location_id", "valid_hours"]
        return ["mall", "location_id", "created_at", "expires_at", "used_at", "kiosk", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        issued = services.create_enrollment_code(
            form.cleaned_data["mall"], form.cleaned_data.get("location_id") or "",
            created_by=request.user, valid_for=timedelta(hours=form.cleaned_data["valid_hours"]),
        )
        obj.pk = issued.record.pk
        obj.code_sha256 = issued.record.code_sha256
        self.message_user(
            request,
            _("Enrollment code %(code)s (shown only now; valid until %(until)s).")
            % {"code": issued.code, "until": issued.record.expires_at.strftime("%Y-%m-%d %H:%M")},
            messages.WARNING,
        )


@admin.register(IssuedKioskCode)
class IssuedKioskCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "issued_at")
    search_fields = ("code",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
