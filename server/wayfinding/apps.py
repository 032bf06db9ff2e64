from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WayfindingConfig(AppConfig):
    name = "server.wayfinding"
    label = "wayfinding"
    verbose_name = _("Wayfinding")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from server.core.console import register_section

        from .views import can_manage_wayfinding

        register_section("wayfinding:console", _("Maps and closures"), can_manage_wayfinding, order=40)
