from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastsConfig(AppConfig):
    name = "server.broadcasts"
    label = "broadcasts"
    verbose_name = _("Notices and emergencies")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from server.content.retention import register_blob_holder
        from server.core import pubsub
        from server.core.console import register_section

        from .access import can_broadcast
        from .changes import announce_writes_on

        register_section("broadcasts:broadcast_list", _("Notices & emergencies"), can_broadcast, order=30)
        register_blob_holder(recent_photos)
        if pubsub.configured():  # changes are announced on Redis (server/broadcasts/changes.py)
            connection_created.connect(announce_writes_on, dispatch_uid="concierge-announce-broadcast-changes")


PHOTO_KEPT_AFTER_END = timedelta(days=30)
"""A notice's photo (a lost child's) is kept this long after the notice ends, for the incident
record, and then removed with the other unused pictures."""


def recent_photos():
    from django.db.models import Q
    from django.utils import timezone

    from .models import Broadcast

    since = timezone.now() - PHOTO_KEPT_AFTER_END
    live = Q(ended_at__isnull=True, expires_at__gte=since) | Q(ended_at__gte=since)
    return Broadcast.objects.filter(live).exclude(photo_sha256="").values_list("photo_sha256", flat=True)
