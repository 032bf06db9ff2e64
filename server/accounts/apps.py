from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "server.accounts"
    label = "accounts"
    verbose_name = _("Staff accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from server.accounts.roles import grant_role_permissions

        # Permissions exist only after every app's post_migrate has run, so the grant runs
        # after each one (it is idempotent and cheap) rather than inside a migration.
        post_migrate.connect(grant_role_permissions, dispatch_uid="concierge-role-permissions")
