from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "server.desk"
    label = "desk"
    verbose_name = _("Desk ledgers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from datetime import timedelta

        from server.core.console import register_panel, register_script, register_section
        from server.core.jobs import register_job
        from server.notifications.live import register_console_part

        from .access import can_keep_ledgers
        from .closing import record_closing_time
        from .help import live_alerts
        from .luggage import erase_old_contacts
        from .panels import emergency_panel

        register_section("desk:luggage_list", _("Desk ledgers"), can_keep_ledgers, order=25)
        register_panel("broadcast_detail", emergency_panel)
        # A kiosk's help request reaches open console pages through the live stream.
        register_console_part("help", live_alerts)
        register_script("desk/help_alert.js", can_keep_ledgers, alert="desk:help_alert")
        register_job("desk-closing-time", lambda: f"{record_closing_time()} malls closed with luggage recorded",
                     every=timedelta(minutes=10))
        register_job("desk-luggage-contact-erasure", lambda: f"{erase_old_contacts()} luggage phones erased",
                     every=timedelta(hours=6))
