"""What the lost-property rules refuse, as typed errors with a machine-readable `code`: the
console views show the message in the staff member's language instead of failing."""
from __future__ import annotations


class LostPropertyError(Exception):
    """A request the lost-property rules refuse; the message is for staff, in their language."""

    def __init__(self, message: str, code: str = "lost_property_error"):
        super().__init__(message)
        self.message = message
        self.code = code


class IllegalMove(LostPropertyError):
    """A status change the lifecycle does not allow, or one someone else made first."""

    def __init__(self, message: str, code: str = "illegal_move"):
        super().__init__(message, code)
