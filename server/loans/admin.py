"""Read-mostly admin views: state changes go through the console (flows.move, audited)."""
from django.contrib import admin

from server.malls.admin import MallScopedAdmin

from .models import LendableItem, Loan


@admin.register(LendableItem)
class LendableItemAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("tag", "kind", "state", "kept_at", "mall")
    list_filter = ("kind", "state", "mall")
    search_fields = ("tag",)
    readonly_fields = ("state", "state_changed_at", "created_at")


@admin.register(Loan)
class LoanAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("id", "item", "kind", "surname", "status", "lent_at", "due_at", "returned_at", "mall")
    list_filter = ("kind", "status", "mall")
    readonly_fields = ("item", "kind", "status", "lent_at", "returned_at", "status_changed_at", "lent_by",
                       "returned_by", "contact_erased_at")

    def has_add_permission(self, request) -> bool:
        return False  # a loan is made at the desk, where the item's state moves with it
