"""What the loan rules refuse, with a machine-readable `code`; views show the message as a form error."""
from __future__ import annotations


class LoanError(Exception):
    """A request the loan rules refuse; the message is for staff, in their language."""

    def __init__(self, message: str, code: str = "loan_error"):
        super().__init__(message)
        self.message = message
        self.code = code


class IllegalMove(LoanError):
    """A state change the table does not allow, or one someone else made first."""

    def __init__(self, message: str, code: str = "illegal_move"):
        super().__init__(message, code)
