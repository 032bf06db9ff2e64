from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "server.content"
    label = "content"
    verbose_name = _("Mall content")
    default_auto_field = "django.db.models.BigAutoField"
