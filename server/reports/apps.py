from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "server.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from server.cases.access import can_view_reports
        from server.core.console import register_section

        register_section("reports:daily", _("Reports"), can_view_reports, order=40)
