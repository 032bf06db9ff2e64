"""Admin for cases: read-mostly. Status changes belong in the console, through services.transition,
so the admin cannot bypass the lifecycle, hand-overs or what a visitor filed."""
from django.contrib import admin

from .models import Case, CaseEvent


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "kind", "from_status", "to_status", "actor_label", "visibility", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
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
