from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "server.loans"
    label = "loans"
    verbose_name = _("Loans at the desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from datetime import timedelta

        from server.core.console import register_section
        from server.core.jobs import register_job

        from .access import can_run_loans
        from .contacts import erase_old_contacts

        register_section("loans:overview", _("Loans"), can_run_loans, order=25)

        register_job("loan-contact-erasure", lambda: f"{erase_old_contacts()} loan contacts erased",
                     every=timedelta(hours=6))
