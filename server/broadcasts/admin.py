from django.contrib import admin

from server.malls.admin import MallScopedAdmin

from .models import Broadcast, ShownReceipt


@admin.register(Broadcast)
class BroadcastAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("title_zh_cn", "kind", "reason", "mall", "starts_at", "expires_at", "ended_at")
    list_filter = ("kind", "reason", "mall")
    readonly_fields = ("starts_at", "created_by", "ended_by")


@admin.register(ShownReceipt)
class ShownReceiptAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("broadcast", "kiosk", "shown_at", "received_at")
    readonly_fields = ("broadcast", "kiosk", "shown_at", "received_at")
