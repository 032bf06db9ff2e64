"""Read-only admin views of the ledgers: entries are made and moved in the console (services and
flows.move, audited), so the admin only shows them, scoped to the staff member's mall."""
from django.contrib import admin

from server.malls.admin import MallScopedAdmin

from .models import FirstAidUse, Handover, HelpRequest, Incident, LeftLuggage, MorningMeeting


class LedgerAdmin(MallScopedAdmin, admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LeftLuggage)
class LeftLuggageAdmin(LedgerAdmin):
    list_display = ("ticket", "description", "pieces", "surname", "status", "checked_in_at", "picked_up_at", "mall")
    list_filter = ("status", "mall")
    search_fields = ("ticket", "surname")


@admin.register(Incident)
class IncidentAdmin(LedgerAdmin):
    list_display = ("number", "kind", "occurred_at", "status", "report_written_at", "mall")
    list_filter = ("kind", "status", "mall")
    search_fields = ("number", "what")


@admin.register(FirstAidUse)
class FirstAidUseAdmin(LedgerAdmin):
    list_display = ("used_at", "supplies", "used_for", "given_by", "incident", "mall")
    list_filter = ("mall",)


@admin.register(Handover)
class HandoverAdmin(LedgerAdmin):
    list_display = ("written_at", "written_by_name", "status", "acknowledged_by_name", "acknowledged_at", "mall")
    list_filter = ("status", "mall")


@admin.register(MorningMeeting)
class MorningMeetingAdmin(LedgerAdmin):
    list_display = ("day", "attendees", "recorded_by", "mall")
    list_filter = ("mall",)


@admin.register(HelpRequest)
class HelpRequestAdmin(LedgerAdmin):
    list_display = ("received_at", "place", "kiosk", "acknowledged_by_name", "resolved_at", "mall")
    list_filter = ("mall",)
