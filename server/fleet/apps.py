from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "server.fleet"
    label = "fleet"
    verbose_name = _("Kiosk fleet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from server.content.promotions import register_play_totals

        from .plays import totals_per_promotion

        register_play_totals(totals_per_promotion)
