"""The notifications' scheduled jobs: sending what is queued, and warning of deadlines near."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext

from server.cases.models import Case
from sync.protocol import CaseStatus

from . import outbox, triggers
from .models import Trigger

UNSETTLED = [CaseStatus.NEW.value, CaseStatus.ACCEPTED.value, CaseStatus.IN_PROGRESS.value]
"""Cases whose deadline runs (waiting on the visitor pauses it)."""


def deliver_notifications() -> str:
    sent, failed = outbox.deliver_due()
    return f"{sent} sent, {failed} to retry or failed"


def announce_deadlines_near(now: datetime | None = None) -> str:
    """Tell whoever handles a case that its deadline is less than
    CONCIERGE_DEADLINE_NEAR_MINUTES away, once per deadline (a moved deadline warns again)."""
    now = now or timezone.now()
    soon = now + timedelta(minutes=settings.CONCIERGE_DEADLINE_NEAR_MINUTES)
    cases = (Case.objects.filter(status__in=UNSETTLED, due_at__gt=now, due_at__lte=soon, paused_at__isnull=True)
             .select_related("mall", "owner").order_by("due_at")[:2000])
    warned = 0
    for case in cases:
        people = (get_user_model().objects.filter(pk=case.owner_id) if case.owner_id
                  else triggers.department_staff(case))
        due = timezone.localtime(case.due_at, case.mall.zone).strftime("%Y-%m-%d %H:%M")
        triggers.tell_staff(case, Trigger.DEADLINE_NEAR, people, None,
                            gettext("Due at %(due)s.") % {"due": due},
                            once_key=f"deadline:{case.pk}:{case.due_at:%Y%m%d%H%M}")
        warned += 1
    return f"{warned} near their deadline"
