"""The phone tracking page and the staff console: thin views over services and access."""
from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST, require_safe

from sync.protocol import CaseStatus

from . import services
from .access import (
    can_add_notes,
    can_change_case,
    can_handle_cases,
    case_handlers_for,
    cases_visible_to,
)
from .forms import HandOverForm, NoteForm, TransitionForm
from server.core.language import in_page_language
from .models import STATUS_LABELS
from .presentation import mall_name

CASES_PER_PAGE = 25


def _page_context(request, **extra) -> dict:
    return {
        "language_links": request.page_language_links,
        "html_lang": request.page_html_lang,
        **extra,
    }


# ---------------------------------------------------------------- phone tracking page
@require_safe
@in_page_language()
def track(request, token: str):
    """The visitor's view of their case, opened from the receipt's QR code. No login, no JS."""
    case = services.find_by_token(token)
    if case is None:
        response = render(request, "cases/track_not_found.html", _page_context(request), status=404)
    else:
        with timezone.override(services.mall_zone(case.mall)):
            response = render(request, "cases/track.html", _page_context(
                request,
                case=case,
                mall_name=mall_name(case.mall, request.page_language),
                steps=services.visitor_progress(case),
                timeline=services.public_timeline(case),
            ))
    # The token is the key to the page: keep it out of caches, referrers and search engines.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ---------------------------------------------------------------- console
def console_view(view):
    """Staff login required (redirect to the staff sign-in); case roles only (403 page)."""

    @functools.wraps(view)
    @in_page_language(default="zh-hans")
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_handle_cases(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    return wrapped


def _forbidden(request):
    return render(request, "cases/console/forbidden.html", _page_context(request), status=403)


@require_safe
@console_view
def console_home(request):
    return redirect("cases:case_list")


@require_safe
@console_view
def case_list(request):
    """The inbox: newest first, filtered by status, paginated; phones masked."""
    visible = cases_visible_to(request.user)
    shown, status = services.filter_inbox(visible, request.GET.get("status", ""))
    counts = services.status_counts(visible)
    filters = [
        {"value": "", "label": _("All"), "count": sum(counts.values())},
        {"value": services.OPEN_FILTER, "label": _("Open"), "count": sum(
            n for s, n in counts.items() if CaseStatus(s) not in services.FINAL_STATUSES
        )},
    ] + [
        {"value": s.value, "label": STATUS_LABELS[s], "count": counts.get(s.value, 0)}
        for s in CaseStatus
    ]
    page = Paginator(
        shown.select_related("mall", "owner__staff_profile"), CASES_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "cases/console/case_list.html", _page_context(
        request, page=page, status=status, filters=filters,
        show_mall=request.user.is_superuser,
    ))


def _visible_case(request, case_id: str):
    return get_object_or_404(
        cases_visible_to(request.user).select_related("mall", "owner", "kiosk"), pk=case_id
    )


def _detail(request, case, *, transition_form=None, note_form=None, hand_over_form=None,
            error: str = "", status: int = 200):
    """The case page, with whichever form came back with an error kept as the agent typed it."""
    allowed = services.allowed_next_statuses(case)
    return render(request, "cases/console/case_detail.html", _page_context(
        request,
        case=case,
        mall_name=mall_name(case.mall, request.page_language),
        events=case.events.select_related("actor").order_by("at", "id"),
        transition_form=transition_form or TransitionForm(allowed=allowed),
        note_form=note_form or NoteForm(),
        hand_over_form=hand_over_form or HandOverForm(handlers=case_handlers_for(case)),
        can_change=can_change_case(request.user, case),
        can_add_notes=can_add_notes(request.user),
        can_hand_over=case.status != CaseStatus.NEW.value
        and CaseStatus(case.status) not in services.FINAL_STATUSES,
        error=error,
    ), status=status)


@require_safe
@console_view
def case_detail(request, case_id: str):
    return _detail(request, _visible_case(request, case_id))


@require_POST
@csrf_protect
@console_view
def case_transition(request, case_id: str):
    case = _visible_case(request, case_id)
    if not can_change_case(request.user, case):
        return _forbidden(request)
    form = TransitionForm(request.POST, allowed=services.allowed_next_statuses(case))
    if not form.is_valid():
        return _detail(request, case, transition_form=form, status=400)
    try:
        services.transition(
            case, form.cleaned_data["to_status"], request.user,
            note=form.cleaned_data["note"], visibility=form.cleaned_data["visibility"],
        )
    except services.CaseError as exc:
        return _detail(request, case, transition_form=form, error=exc.message, status=409)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_note(request, case_id: str):
    case = _visible_case(request, case_id)
    if not can_add_notes(request.user):
        return _forbidden(request)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, note_form=form, status=400)
    try:
        services.add_note(
            case, request.user, form.cleaned_data["text"], form.cleaned_data["visibility"]
        )
    except services.CaseError as exc:
        return _detail(request, case, note_form=form, error=exc.message, status=400)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_hand_over(request, case_id: str):
    case = _visible_case(request, case_id)
    if not can_change_case(request.user, case):
        return _forbidden(request)
    form = HandOverForm(request.POST, handlers=case_handlers_for(case))
    if not form.is_valid():
        return _detail(request, case, hand_over_form=form, status=400)
    try:
        services.hand_over(
            case, form.cleaned_data["new_owner"], request.user, note=form.cleaned_data["note"]
        )
    except services.CaseError as exc:
        return _detail(request, case, hand_over_form=form, error=exc.message, status=409)
    return redirect("cases:case_detail", case_id=case.pk)
