"""Staff accounts in the admin: the user page shows the person's mall."""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from server.accounts.models import AuditEntry
from server.malls.admin import MallScopedAdmin
from server.malls.models import StaffProfile


class StaffProfileInline(MallScopedAdmin, admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fk_name = "user"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(MallScopedAdmin, UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ("username", "email", "mall", "role_names", "is_active", "last_login")
    list_filter = ("groups", "is_active", "staff_profile__mall")

    @admin.display(description=_("mall"))
    def mall(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.mall_id if profile else ""

    @admin.display(description=_("roles"))
    def role_names(self, user):
        return ", ".join(user.groups.values_list("name", flat=True))


@admin.register(StaffProfile)
class StaffProfileAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("user", "mall", "display_name")
    list_filter = ("mall",)
    search_fields = ("user__username", "display_name")


@admin.register(AuditEntry)
class AuditEntryAdmin(MallScopedAdmin, admin.ModelAdmin):
    """The audit log, read-only: nobody edits or deletes what happened."""

    list_display = ("at", "actor_label", "action", "subject", "mall", "detail")
    list_filter = ("action", "mall")
    search_fields = ("subject", "actor_label", "detail")
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
