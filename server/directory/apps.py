from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """The phone store page a kiosk's store page hands over by QR code (/s/<mall>/<store>)."""

    name = "server.directory"
    label = "directory"
    verbose_name = "Store directory"
    default_auto_field = "django.db.models.BigAutoField"
