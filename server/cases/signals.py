"""What the case desk announces, for other apps to act on (e.g. notifications): each signal is
sent after the change is committed, with the record as `sender`'s keyword arguments."""
from __future__ import annotations

from django.dispatch import Signal

#: A low score opened a follow-up task for the manager. Arguments: follow_up, case.
follow_up_opened = Signal()
#: A follow-up task was closed by a better score or by a manager's note. Arguments: follow_up, case.
follow_up_closed = Signal()
#: A case was put in a department's queue (nobody owns it). Arguments: case, department, actor.
case_queued = Signal()
#: Someone took a case from their department's queue and owns it now. Arguments: case, actor.
case_taken = Signal()
#: A staff member joined a case's team as a collaborator. Arguments: case, collaborator, actor.
collaborator_added = Signal()
#: A visitor's phone number was shown to a staff member (audited). Arguments: case, actor.
contact_revealed = Signal()
#: A case was merged into another that carries on. Arguments: case (the survivor), merged, actor.
case_merged = Signal()
#: A case was escalated to the mall's managers: by a staff member ("escalate now", with a
#: reason) or by the overdue job (actor None). Arguments: case, actor, reason.
case_escalated = Signal()
#: The end-of-day check reported what will not be settled today. Arguments: report, mall, cases.
same_day_reported = Signal()
