from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastsConfig(AppConfig):
    name = "server.broadcasts"
    label = "broadcasts"
    verbose_name = _("Notices and emergencies")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from server.core.console import register_section

        from .access import can_broadcast

        register_section("broadcasts:broadcast_list", _("Notices & emergencies"), can_broadcast, order=30)
