"""Notes on a case's timeline and the canned replies the desk posts as notes; the note rules
(length, characters, visibility) every other action with a note shares."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from sync.protocol import has_control_characters

from .audit import audit, label_of
from .errors import InvalidNote
from .models import CannedReply, Case, CaseEvent, EventKind, Visibility

MAX_NOTE_CHARS = 2000


def add_note(
    case: Case, actor, text: str, visibility: Visibility | str = Visibility.INTERNAL
) -> CaseEvent:
    """A note on the case's timeline; public notes are what the visitor reads on the phone."""
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.NOTE,
            note=clean_note(text, required=True), visibility=as_visibility(visibility),
        )
        if actor is not None:
            audit(actor, "case.note", case, f"{case.reference} {event.visibility}")
    return event


def as_visibility(value: Visibility | str) -> Visibility:
    try:
        return Visibility(value)
    except ValueError:
        raise InvalidNote(gettext("Choose whether the note is public or internal.")) from None


def clean_note(text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InvalidNote(gettext("The note is empty."))
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidNote(
            gettext("A note can be at most %(count)d characters.") % {"count": MAX_NOTE_CHARS}
        )
    if has_control_characters(text.replace("\r\n", "\n")):
        raise InvalidNote(gettext("The note contains characters that cannot be shown."))
    return text.replace("\r\n", "\n")


def canned_replies_for(mall) -> QuerySet[CannedReply]:
    return CannedReply.objects.filter(Q(mall=mall) | Q(mall__isnull=True)).order_by("title")


def send_canned_reply(case: Case, actor, reply: CannedReply) -> CaseEvent:
    """Post a canned reply as a public note, in the language the visitor filed in."""
    return add_note(case, actor, reply.text_for(case.language), Visibility.PUBLIC)
