"""A borrower's phone is kept only while it may be needed (PIPL: no longer than the purpose):
it is erased a while after the item came back."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import Loan, LoanStatus

KEEP_CONTACT_AFTER_RETURN = timedelta(days=30)
"""Long enough to call about something left in a pram or a damaged wheelchair."""


def erase_old_contacts(now=None) -> int:
    """Blank the phone of loans returned more than KEEP_CONTACT_AFTER_RETURN ago; how many."""
    now = now or timezone.now()
    return Loan.objects.filter(
        status=LoanStatus.RETURNED, returned_at__lt=now - KEEP_CONTACT_AFTER_RETURN, contact_erased_at__isnull=True,
    ).update(phone="", contact_erased_at=now)
