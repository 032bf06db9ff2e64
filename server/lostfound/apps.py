from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LostFoundConfig(AppConfig):
    name = "server.lostfound"
    label = "lostfound"
    verbose_name = _("Lost property")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from server.cases.access import can_handle_cases
        from server.cases.models import Case
        from server.core.console import register_section

        from .signals import case_saved

        post_save.connect(case_saved, sender=Case, dispatch_uid="lostfound.case_saved")
        register_section("lostfound:item_list", _("Lost property"), can_handle_cases, order=20)

        from datetime import timedelta

        from server.core.jobs import register_job

        from . import retention, suggestions

        register_job("lost-property-due", lambda: f"{retention.mark_due_items()} due for disposal",
                     every=timedelta(hours=1))
        register_job("lost-report-surnames", lambda: f"{retention.forget_erased_surnames()} surnames erased",
                     every=timedelta(hours=1))
        register_job("lost-property-rematch", lambda: f"{suggestions.rematch_open_reports()} reports matched",
                     every=timedelta(days=1))
