"""Admin for cases: read-mostly. Status changes belong in the console, through flows.transition,
so the admin cannot bypass the lifecycle, hand-overs or what a visitor filed."""
from django.contrib import admin

from server.malls.admin import MallScopedAdmin

from .models import CannedReply, Case, CaseEvent, CategoryRule, Holiday


class CaseEventInline(MallScopedAdmin, admin.TabularInline):
    model = CaseEvent
    fk_name = "case"
    fields = ("at", "kind", "from_status", "to_status", "actor_label", "visibility", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("reference", "mall", "kind", "category", "status", "owner", "received_at")
    list_filter = ("status", "kind", "category", "mall")
    search_fields = ("reference", "id")
    date_hierarchy = "received_at"
    list_select_related = ("mall", "owner")
    inlines = [CaseEventInline]
    # The token hash is useless to people and stays off the page.
    fields = readonly_fields = [
        field.name for field in Case._meta.fields if field.name != "tracking_token_sha256"
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CategoryRule)
class CategoryRuleAdmin(MallScopedAdmin, admin.ModelAdmin):
    """Routing and promised working days per complaint category, for each mall."""

    list_display = ("mall", "category", "department", "working_days", "priority")
    list_filter = ("mall", "department")


@admin.register(Holiday)
class HolidayAdmin(MallScopedAdmin, admin.ModelAdmin):
    """Days the deadlines skip; the opening hours themselves are the mall's (content admin)."""

    list_display = ("mall", "day", "name")
    list_filter = ("mall",)
    date_hierarchy = "day"


@admin.register(CannedReply)
class CannedReplyAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("title", "mall")
    list_filter = ("mall",)
    search_fields = ("title", "text_zh_cn", "text_en")
