"""Collaborators: staff of any department of the mall who work on a case beside its owner, the
temporary team (临时处理小组) the complaint flow forms. They see the case and add notes to it;
status and ownership stay with the owner and the case's department."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from server.malls.models import person_name
from sync.protocol import CaseStatus

from . import signals
from .access import case_handlers_for, may_own_cases_of
from .audit import audit, label_of
from .errors import InvalidCollaborator
from .flows import FINAL_STATUSES
from .models import Case, CaseCollaborator, CaseEvent, EventKind, Visibility


def add_collaborator(case: Case, user, actor) -> CaseEvent:
    """Add `user` to the case's team; they must be able to handle cases of the case's mall."""
    if CaseStatus(case.status) in FINAL_STATUSES:
        raise InvalidCollaborator(gettext("This case is finished; nobody can join it now."))
    if user is None or not may_own_cases_of(user, case.mall_id):
        raise InvalidCollaborator(gettext("That person cannot handle cases of this mall."))
    if user.pk == case.owner_id:
        raise InvalidCollaborator(gettext("That person owns this case already."))
    try:
        with transaction.atomic():
            CaseCollaborator.objects.create(case=case, user=user, added_by=actor)
            event = CaseEvent.objects.create(
                case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.TEAM,
                note=f"+ {person_name(user)}", visibility=Visibility.INTERNAL,
            )
            audit(actor, "case.team", case, f"{case.reference} + {user.get_username()}")
            transaction.on_commit(lambda: signals.collaborator_added.send(
                Case, case=case, collaborator=user, actor=actor))
    except IntegrityError:
        raise InvalidCollaborator(gettext("That person is on the team already.")) from None
    return event


def team_of(case: Case) -> QuerySet:
    """The case's collaborators (users), in the order they joined."""
    from django.contrib.auth import get_user_model

    return (get_user_model().objects.filter(collaborating_cases__case=case)
            .select_related("staff_profile").order_by("collaborating_cases__added_at"))


def candidates_for(case: Case) -> QuerySet:
    """Who may still join the team: staff of the mall who handle cases, not yet on it."""
    return case_handlers_for(case).exclude(collaborating_cases__case=case)
