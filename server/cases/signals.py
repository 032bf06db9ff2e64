"""What the case desk announces, for other apps to act on (e.g. notifications): each signal is
sent after the change is committed, with the record as `sender`'s keyword arguments."""
from __future__ import annotations

from django.dispatch import Signal

#: A low score opened a follow-up task for the manager. Arguments: follow_up, case.
follow_up_opened = Signal()
#: A follow-up task was closed by a better score or by a manager's note. Arguments: follow_up, case.
follow_up_closed = Signal()
