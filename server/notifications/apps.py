from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "server.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from server.cases.access import can_handle_cases
        from server.core.console import register_script, register_section
        from server.core.jobs import register_job

        from . import jobs, kiosk_alarms, triggers
        from .access import can_set_notifications

        triggers.connect()
        kiosk_alarms.connect()
        register_section("notifications:preferences", _("Notifications"), can_set_notifications, order=80)
        register_script("notifications/live_console.js", can_handle_cases,
                        stream="notifications:console_stream", cases="cases:case_list")
        # Every pass of the job runner drains the queue; the courier thread sends sooner.
        register_job("deliver-notifications", jobs.deliver_notifications, every=timedelta(seconds=0))
        register_job("deadline-near-notices", jobs.announce_deadlines_near, every=timedelta(minutes=5))
