from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MallsConfig(AppConfig):
    name = "server.malls"
    label = "malls"
    verbose_name = _("Malls")
    default_auto_field = "django.db.models.BigAutoField"
