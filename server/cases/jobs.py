"""The cases' scheduled jobs: escalating overdue cases and erasing contact details after the
retention period. Both are safe on several servers at once."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from server.malls.models import person_name
from sync.protocol import sha256_hex

from . import signals
from .audit import audit
from .flows import FINAL_STATUSES
from .models import Case, CaseEvent, EventKind, Visibility
from .routing import overdue_q


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.CONCIERGE_CONTACT_RETENTION_DAYS)


def erase_expired_contacts(now: datetime | None = None, batch: int = 500) -> int:
    """Erase contact details and revoke the tracking link of cases finished before retention.

    Safe on several servers at once: each row is claimed by a conditional update, so a case is
    erased (and logged) exactly once whoever gets there first.
    """
    cutoff = retention_cutoff(now)
    due = Case.objects.filter(
        status__in=[s.value for s in FINAL_STATUSES], finished_at__lt=cutoff,
        contact_erased_at__isnull=True,
    ).order_by("finished_at")
    erased = 0
    while True:
        ids = list(due.values_list("pk", flat=True)[:batch])
        if not ids:
            return erased
        for case_id in ids:
            with transaction.atomic():
                claimed = Case.objects.filter(pk=case_id, contact_erased_at__isnull=True).update(
                    contact_phone=None, contact_erased_at=timezone.now(),
                    # A hash of fresh random bytes: no token opens the case any more.
                    tracking_token_sha256=sha256_hex(secrets.token_bytes(32)),
                )
                if claimed:
                    CaseEvent.objects.create(
                        case_id=case_id, kind=EventKind.NOTE, actor_label="system",
                        note=gettext("Contact details erased after the retention period; "
                                     "the tracking link no longer works."),
                        visibility=Visibility.INTERNAL,
                    )
                    erased += claimed


# ---------------------------------------------------------------- end of day
def make_same_day_reports(now: datetime | None = None) -> list:
    """At each mall's closing time (in its zone), the same-day report of what is not settled."""
    from server.malls.models import Mall

    from .escalation import due_reports

    return due_reports(Mall.objects.all(), now)


# ---------------------------------------------------------------- escalation
def escalate_overdue(now: datetime | None = None) -> list[Case]:
    """Escalate every overdue, not yet escalated case to its mall's managers, once.

    Each case is claimed with a conditional update (escalated_at is null), so two servers
    running the job at the same moment escalate each case exactly once.
    """
    from django.contrib.auth import get_user_model

    from server.accounts.roles import Role

    now = now or timezone.now()
    candidates = list(Case.objects.filter(overdue_q(now), escalated_at__isnull=True)
                      .select_related("mall").order_by("due_at")[:5000])
    escalated = []
    for case in candidates:
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            managers = get_user_model().objects.filter(
                is_active=True, groups__name=Role.MANAGER.value, staff_profile__mall_id=case.mall_id)
            names = ", ".join(person_name(m) for m in managers.select_related("staff_profile")) or "—"
            note = gettext("Overdue since %(due)s: escalated to the manager (%(names)s).") % {
                "due": timezone.localtime(case.due_at, case.mall.zone).strftime("%Y-%m-%d %H:%M"),
                "names": names}
            CaseEvent.objects.create(case=case, at=now, kind=EventKind.ESCALATE, actor_label="system",
                                     note=note, visibility=Visibility.INTERNAL)
            audit(None, "case.escalate", case, f"{case.reference} → {names}")
            transaction.on_commit(partial(signals.case_escalated.send, sender=Case, case=case,
                                          actor=None, reason=note))
        case.escalated_at = now
        escalated.append(case)
    return escalated
