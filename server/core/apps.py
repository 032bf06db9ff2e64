from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "server.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from datetime import timedelta

        from server.core.jobs import register_job
        from server.core.throttle import sweep_rate_counts

        register_job("rate-count-sweep", sweep_rate_counts, timedelta(hours=1))
