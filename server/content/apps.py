from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "server.content"
    label = "content"
    verbose_name = _("Mall content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from datetime import timedelta

        from server.core.console import register_section
        from server.core.jobs import register_job

        from .retention import prune_content
        from .views import can_edit_promotions

        register_section("content:promotion_list", _("Promotions"), can_edit_promotions, order=20)
        register_job("prune_content", lambda: prune_content().summary(), timedelta(days=1))
