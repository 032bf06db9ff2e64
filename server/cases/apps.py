from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "server.cases"
    label = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from server.core.console import register_section

        from .access import can_handle_cases

        register_section("cases:case_list", _("Cases"), can_handle_cases, order=10)
        register_section("cases:follow_ups", _("Follow-ups"), can_handle_cases, order=15)

        from datetime import timedelta

        from server.core.jobs import register_job

        from . import jobs

        register_job("escalate-overdue", lambda: f"{len(jobs.escalate_overdue())} escalated",
                     every=timedelta(minutes=5))
        register_job("same-day-report", lambda: f"{len(jobs.make_same_day_reports())} reports",
                     every=timedelta(minutes=5))
        register_job("erase-expired-contacts", lambda: f"{jobs.erase_expired_contacts()} erased",
                     every=timedelta(hours=1))
