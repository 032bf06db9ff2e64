"""What the fleet announces to apps that may not be imported from here (the notifications app
imports the cases app, which imports this one)."""
from django.dispatch import Signal

kiosk_went_silent = Signal()
"""Sent (sender=Kiosk) in the transaction that raises an offline alarm, with `kiosk`, `alarm` and
`department` (the mall's choice of department to tell besides its managers, "" for none)."""
