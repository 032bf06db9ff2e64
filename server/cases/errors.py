"""What the case rules refuse, as typed errors: views and the API turn them into a message or
an error code (each has a machine-readable `code`), never a server error."""
from __future__ import annotations


class CaseError(Exception):
    """A request the case rules refuse; `code` is machine-readable, the message is for people."""

    code = "case_error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class UploadConflict(CaseError):
    """The upload clashes with a different case (its id, reference or token is taken)."""

    code = "conflict"


class UploadRejected(CaseError):
    """The upload is well-formed for the protocol but breaks a server-side limit."""

    code = "invalid_case"


class IllegalTransition(CaseError):
    code = "illegal_transition"


class InvalidNote(CaseError):
    code = "invalid_note"


class InvalidHandOver(CaseError):
    code = "invalid_hand_over"


class InvalidCase(CaseError):
    code = "invalid_case"


class InvalidCallback(CaseError):
    code = "invalid_callback"


class VisitorError(CaseError):
    code = "visitor_error"


class InvalidAttachment(CaseError):
    code = "invalid_attachment"


class InvalidPriority(CaseError):
    code = "invalid_priority"


class InvalidEscalation(CaseError):
    code = "invalid_escalation"


class InvalidMacro(CaseError):
    code = "invalid_macro"


class InvalidMerge(CaseError):
    code = "invalid_merge"


class InvalidCollaborator(CaseError):
    code = "invalid_collaborator"
