"""The morning meeting record (晨会记录): one a day per mall, with who came, the notes and the actions."""
from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from server.accounts.services import record_audit
from server.malls.models import Mall, person_name

from .errors import DeskError
from .models import MorningMeeting


def record_meeting(mall: Mall, actor, *, day: date, attendees: str, notes: str, actions: str = "") -> MorningMeeting:
    try:
        with transaction.atomic():
            meeting = MorningMeeting.objects.create(mall=mall, day=day, attendees=attendees.strip(),
                                                    notes=notes.strip(), actions=actions.strip(),
                                                    recorded_by=person_name(actor))
    except IntegrityError:
        raise DeskError(gettext("The morning meeting of %(day)s is already recorded.") % {"day": day.isoformat()},
                        "duplicate") from None
    record_audit(actor, "desk.meeting_record", mall=mall, subject=day.isoformat())
    return meeting
