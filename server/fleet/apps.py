from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "server.fleet"
    label = "fleet"
    verbose_name = _("Kiosk fleet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from datetime import timedelta

        from server.content.promotions import register_play_totals
        from server.content.retention import register_version_pin
        from server.core.console import register_section
        from server.core.jobs import register_job

        from .access import can_see_fleet
        from .plays import totals_per_promotion
        from .remote import check_silent_kiosks

        register_play_totals(totals_per_promotion)
        register_version_pin(versions_shown)
        register_section("fleet:fleet_list", _("Kiosk fleet"), can_see_fleet, order=60)
        register_job("fleet-offline-alarms", lambda: str(check_silent_kiosks()), every=timedelta(minutes=1))


def versions_shown(mall):
    """The content versions the mall's kiosks show now: kept past the mall's retention."""
    from .models import Kiosk

    return (Kiosk.objects.filter(mall=mall, revoked_at__isnull=True, content_version__isnull=False)
            .values_list("content_version", flat=True).distinct())
