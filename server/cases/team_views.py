"""The case page's teamwork actions: hand to a department's queue, take from it, add a
collaborator, merge into another case. Thin views over queues, collaborators and merging;
a refusal shows on the case page as the other actions' do."""
from __future__ import annotations

from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from . import collaborators, merging, queues
from .access import can_change_case, cases_visible_to
from .errors import CaseError
from .team_forms import CollaboratorForm, DepartmentQueueForm, MergeForm
from .views import _detail, _forbidden, _visible_case, console_view


def _refused(request, case, message: str, status: int = 409):
    return _detail(request, case, error=message, status=status)


def _form_error(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


@require_POST
@csrf_protect
@console_view
def case_queue(request, case_id: str):
    case = _visible_case(request, case_id)
    if not can_change_case(request.user, case):
        return _forbidden(request)
    form = DepartmentQueueForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, _form_error(form), 400)
    try:
        queues.hand_over_to_department(case, form.cleaned_data["department"], request.user,
                                       form.cleaned_data["note"])
    except CaseError as exc:
        return _refused(request, case, exc.message)
    if not cases_visible_to(request.user).filter(pk=case.pk).exists():
        return redirect("cases:case_list")  # handed to another department: out of this handler's view
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_take(request, case_id: str):
    case = _visible_case(request, case_id)
    try:
        queues.take(case, request.user)
    except CaseError as exc:
        return _refused(request, _visible_case(request, case_id), exc.message)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_team(request, case_id: str):
    case = _visible_case(request, case_id)
    if not can_change_case(request.user, case):
        return _forbidden(request)
    form = CollaboratorForm(request.POST, candidates=collaborators.candidates_for(case))
    if not form.is_valid():
        return _refused(request, case, gettext("Choose a staff member of this mall from the list."), 400)
    try:
        collaborators.add_collaborator(case, form.cleaned_data["user"], request.user)
    except CaseError as exc:
        return _refused(request, case, exc.message)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_merge(request, case_id: str):
    """Mark the case a duplicate of another; the page of the case that carries on opens next."""
    case = _visible_case(request, case_id)
    if not can_change_case(request.user, case):
        return _forbidden(request)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, _form_error(form), 400)
    try:
        survivor = merging.find_survivor(case, form.cleaned_data["reference"])
        if not can_change_case(request.user, survivor):
            return _refused(request, case, gettext("You cannot change case %(reference)s.")
                            % {"reference": survivor.reference}, 403)
        merging.merge_into(case, survivor, request.user, form.cleaned_data["note"])
    except CaseError as exc:
        return _refused(request, case, exc.message)
    return redirect("cases:case_detail", case_id=survivor.pk)
