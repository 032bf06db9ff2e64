from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "server.content"
    label = "content"
    verbose_name = _("Mall content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from server.core.console import register_section

        from .views import can_edit_promotions

        register_section("content:promotion_list", _("Promotions"), can_edit_promotions, order=20)
