"""What the desk ledgers refuse, as one typed error: views show its message (already in the
staff member's language) instead of failing."""
from __future__ import annotations


class DeskError(Exception):
    def __init__(self, message: str, code: str = "desk_error"):
        super().__init__(message)
        self.message = message
        self.code = code
