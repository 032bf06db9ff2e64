from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "server.fleet"
    label = "fleet"
    verbose_name = _("Kiosk fleet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from server.content.promotions import register_play_totals
        from server.content.retention import register_version_pin

        from .plays import totals_per_promotion

        register_play_totals(totals_per_promotion)
        register_version_pin(versions_shown)


def versions_shown(mall):
    """The content versions the mall's kiosks show now: kept past the mall's retention."""
    from .models import Kiosk

    return (Kiosk.objects.filter(mall=mall, revoked_at__isnull=True, content_version__isnull=False)
            .values_list("content_version", flat=True).distinct())
