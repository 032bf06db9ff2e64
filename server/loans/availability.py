"""What each lending place of a mall can lend now: the live counts the kiosks poll."""
from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from server.malls.models import Mall
from sync.protocol import MAX_LENDING_PLACES, LendingAvailability, LendingCount

from .models import ItemState, LendableItem


def lending_counts(mall: Mall) -> list[LendingCount]:
    """Available and in-service items per kind and place; places with nothing in service are left out."""
    rows = (LendableItem.objects.filter(mall=mall).exclude(state=ItemState.OUT_OF_SERVICE)
            .values("kind", "kept_at")
            .annotate(available=Count("pk", filter=Q(state=ItemState.AVAILABLE)), total=Count("pk"))
            .order_by("kind", "kept_at"))
    return [LendingCount(kind=row["kind"], facility_id=row["kept_at"], available=row["available"],
                         total=row["total"]) for row in rows[:MAX_LENDING_PLACES]]


def availability_for(mall: Mall) -> LendingAvailability:
    return LendingAvailability(server_time=timezone.now(), counts=lending_counts(mall),
                               poll_seconds=settings.CONCIERGE_AVAILABILITY_POLL_SECONDS)
