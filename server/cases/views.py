"""The phone tracking page and the staff console: thin views over services and access."""
from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST, require_safe

from server.core.console import page_context, staff_page
from server.core.database_threads import serve_on_database_threads
from server.core.language import in_page_language
from server.core.uploads import ImageRefused, read_upload
from server.malls.boundary import sees_every_mall, visible_malls, working_mall
from server.malls.models import Department
from sync.protocol import CaseStatus
from venue.languages import kiosk_code

from . import (
    attachments,
    audit,
    callbacks,
    escalation,
    flows,
    inbox,
    intake,
    macros,
    notes,
    priority,
    routing,
    sla,
    tracking,
)
from .access import (
    can_add_attachments,
    can_add_notes,
    can_change_case,
    can_handle_cases,
    can_note_on,
    can_register_cases,
    can_reveal_contact_of,
    can_view_reports,
    case_handlers_for,
    cases_visible_to,
)
from .errors import CaseError, InvalidCase
from .forms import (
    AttachmentForm,
    CallbackForm,
    CannedReplyForm,
    DeadlineWindowForm,
    EscalateForm,
    HandOverForm,
    InboxFilterForm,
    NoteForm,
    PriorityForm,
    RatingForm,
    RegisterCaseForm,
    TransitionForm,
    VisitorReplyForm,
)
from .models import STATUS_LABELS, CaseAttachment, SameDayReport
from .presentation import floor_choices, mall_name, published_places, qr_svg, store_choices

CASES_PER_PAGE = 25


# ---------------------------------------------------------------- phone tracking page
def _no_store(response):
    """The token is the key to the page: keep it out of caches, other sites' referrers and search
    engines. "same-origin" rather than "no-referrer": with no-referrer, browsers send
    `Origin: null` on the page's own form posts (reply, rating) and the CSRF check refuses them."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _track_page(request, case, reader, *, reply_form=None, rating_form=None, error="", status=200):
    """`case` is the case shown; `reader` the one whose token opened the page (a case merged
    into `case`, or `case` itself): its description is what this visitor told us."""
    zone = case.mall.zone
    running = CaseStatus(case.status) in routing.ACTIVE_STATUSES | {CaseStatus.WAITING_ON_VISITOR}
    reply_form = reply_form or (
        VisitorReplyForm() if case.status == CaseStatus.WAITING_ON_VISITOR.value else None)
    rating_form = rating_form or (RatingForm() if tracking.can_rate(case) else None)
    context = page_context(
        request,
        case=case,
        token=request.resolver_match.kwargs["token"],
        mall_name=mall_name(case.mall, request.page_language),
        steps=tracking.visitor_progress(case),
        timeline=tracking.visitor_timeline(case, zone, reader),
        reader=reader,
        filed=tracking.moment(case.created_at, zone),
        expected=tracking.moment(case.due_at, zone) if running else None,
        reply_form=reply_form,
        rating_form=rating_form,
        error=error,
    )
    # The request (context processors, CSRF token) only when the page has a form to post: the
    # busiest case, a visitor checking on progress, renders without that work. The page's <style>
    # needs the request's Content-Security-Policy nonce either way.
    with_form = request if (reply_form or rating_form) else None
    context["request"] = request
    return HttpResponse(render_to_string("cases/track.html", context, with_form), status=status)


def _opened_by(token: str):
    """(the case the token belongs to, the case its page shows): a merged case's page shows the
    case that carries on its matter. (None, None) for an unknown or expired token."""
    reader = tracking.find_by_token(token)
    case = tracking.surviving_case(reader) if reader is not None else None
    return (reader, case) if case is not None else (None, None)


def _not_found(request):
    return _no_store(render(request, "cases/track_not_found.html", page_context(request), status=404))


@serve_on_database_threads
@require_safe
@in_page_language()
def track(request, token: str):
    """The visitor's view of their case, opened from the receipt's QR code. No login, no JS.
    A case merged into another shows the one that carries on, saying so."""
    reader, case = _opened_by(token)
    if case is None:
        return _not_found(request)
    return _no_store(_track_page(request, case, reader))


@require_POST
@csrf_protect
@in_page_language()
def track_reply(request, token: str):
    """The visitor answers the desk's question."""
    reader, case = _opened_by(token)
    if case is None:
        return _not_found(request)
    form = VisitorReplyForm(request.POST)
    if not form.is_valid():
        return _no_store(_track_page(request, case, reader, reply_form=form, status=400))
    try:
        tracking.visitor_reply(case, form.cleaned_data["text"])
    except CaseError as exc:
        return _no_store(_track_page(request, case, reader, reply_form=form, error=exc.message, status=409))
    return redirect("cases:track", token=token)


@require_POST
@csrf_protect
@in_page_language()
def track_rate(request, token: str):
    """The visitor's rating: a form they fill in and submit (never a link a mail scanner follows)."""
    reader, case = _opened_by(token)
    if case is None:
        return _not_found(request)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _no_store(_track_page(request, case, reader, rating_form=form, status=400))
    try:
        tracking.rate_case(case, form.cleaned_data["stars"], form.cleaned_data["comment"])
    except CaseError as exc:
        return _no_store(_track_page(request, case, reader, rating_form=form, error=exc.message, status=409))
    return redirect("cases:track", token=token)


# ---------------------------------------------------------------- console
console_view = staff_page(can_handle_cases, "cases/console/forbidden.html")
"""Case-handling roles only."""


def _forbidden(request):
    return render(request, "cases/console/forbidden.html", page_context(request), status=403)


@require_safe
@console_view
def console_home(request):
    return redirect("cases:case_list")


@require_safe
@console_view
def case_list(request):
    """The inbox: filters, search, newest first, overdue in red; phones masked."""
    from django.contrib.auth import get_user_model

    user = request.user
    visible = cases_visible_to(user)
    mall_ids = list(visible_malls(user).values_list("pk", flat=True))
    stores = store_choices(mall_ids, request.page_language)
    owners = (get_user_model().objects.filter(staff_profile__mall_id__in=mall_ids, is_active=True)
              .select_related("staff_profile").order_by("username"))
    form = InboxFilterForm(request.GET, owners=owners, floors=floor_choices(mall_ids), stores=stores)
    filters = form.filters()
    shown = inbox.filter_inbox(visible, filters)
    counts = inbox.status_counts(visible)
    chips = [{"value": inbox.OPEN_FILTER, "label": _("Open"), "count": sum(counts.values())}] + [
        {"value": s.value, "label": STATUS_LABELS[s], "count": counts.get(s.value, 0)}
        for s in CaseStatus if s not in flows.FINAL_STATUSES
    ]
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    rows, has_older = inbox.first_rows(
        shown.select_related("mall", "owner__staff_profile"), page_number, CASES_PER_PAGE)
    now = timezone.now()
    store_names = dict(stores)
    for case in rows:
        case.overdue = routing.is_overdue(case, now)
        case.store_name = store_names.get(case.store_id, case.store_id)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("lang", None)
    latest_report = (SameDayReport.objects.filter(mall_id__in=mall_ids).order_by("-day").first()
                     if can_view_reports(user) else None)
    return render(request, "cases/console/case_list.html", page_context(
        request, rows=rows, page_number=page_number, has_older=has_older, chips=chips,
        status=filters.status, form=form, query=query.urlencode(),
        show_mall=sees_every_mall(user), can_register=can_register_cases(user),
        escalated=inbox.escalated_open(visible) if page_number == 1 else [],
        latest_report=latest_report, live_refresh=True,
    ))


@console_view
def case_new(request):
    """Register a walk-in or a phone call; the ticket with its QR code is shown once."""
    if not can_register_cases(request.user):
        return _forbidden(request)
    mall = working_mall(request)
    floors, stores = published_places(mall, request.page_language)
    form = RegisterCaseForm(request.POST or None, stores=stores, floors=floors,
                            initial={"language": kiosk_code(request.page_language)})
    error = ""
    # The time it happened is typed in the mall's local time.
    with timezone.override(mall.zone if mall else None):
        valid = request.method == "POST" and form.is_valid()
    if valid:
        try:
            if mall is None:
                raise InvalidCase(str(_("There is no mall to register the case in.")))
            case, token = intake.register_case(mall, request.user, **form.cleaned_data)
        except CaseError as exc:
            error = exc.message
        else:
            url = tracking.tracking_url(token)
            return render(request, "cases/console/case_ticket.html", page_context(
                request, case=case, tracking_url=url, qr=qr_svg(url),
                mall_name=mall_name(case.mall, request.page_language)))
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/console/case_new.html", page_context(
        request, form=form, error=error), status=status)


def _visible_case(request, case_id: str):
    return get_object_or_404(
        cases_visible_to(request.user).select_related("mall", "owner", "kiosk"), pk=case_id
    )


def _detail(request, case, *, transition_form=None, note_form=None, hand_over_form=None,
            callback_form=None, attachment_form=None, priority_form=None, escalate_form=None,
            revealed_phone="", error: str = "", status: int = 200):
    """The case page, with whichever form came back with an error kept as the agent typed it."""
    allowed = flows.allowed_next_statuses(case)
    replies = notes.canned_replies_for(case.mall)
    zone = case.mall.zone
    with timezone.override(zone):
        return render(request, "cases/console/case_detail.html", page_context(
            request,
            case=case,
            mall_name=mall_name(case.mall, request.page_language),
            # Only the page as fetched follows changes: an answer to a form (an error kept, a
            # phone number revealed) would be lost to a fetch of its address.
            live_refresh=request.method == "GET",
            events=case.events.select_related("actor", "merged_from").order_by("at", "id"),
            attachments=case.attachments.only("id", "filename", "size", "uploaded_at").order_by("uploaded_at"),
            overdue=routing.is_overdue(case),
            department_label=Department(case.department).label if case.department else "",
            transition_form=transition_form or TransitionForm(allowed=allowed, current=case.status),
            priority_form=priority_form or PriorityForm(initial={"priority": case.priority}),
            escalate_form=escalate_form or EscalateForm(),
            can_escalate=case.escalated_at is None
            and CaseStatus(case.status) in escalation.UNSETTLED_STATUSES,
            macros=[(reply, macros.what_it_does(reply)) for reply in replies.select_related("sets_owner")],
            note_form=note_form or NoteForm(),
            hand_over_form=hand_over_form or HandOverForm(handlers=case_handlers_for(case)),
            callback_form=callback_form or CallbackForm(),
            canned_form=CannedReplyForm(replies=replies) if replies.exists() else None,
            attachment_form=attachment_form or AttachmentForm(),
            can_change=can_change_case(request.user, case),
            can_add_notes=can_note_on(request.user, case),
            can_attach=can_add_attachments(request.user) and can_change_case(request.user, case),
            can_reveal=can_reveal_contact_of(request.user, case),
            revealed_phone=revealed_phone,
            can_hand_over=case.status != CaseStatus.NEW.value
            and CaseStatus(case.status) not in flows.FINAL_STATUSES,
            error=error,
        ), status=status)


@require_safe
@console_view
def case_detail(request, case_id: str):
    return _detail(request, _visible_case(request, case_id))


def _changeable_case(request, case_id):
    """The case, if the user may change it; else None (the view answers 403)."""
    case = _visible_case(request, case_id)
    return case if can_change_case(request.user, case) else None


@require_POST
@csrf_protect
@console_view
def case_transition(request, case_id: str):
    case = _changeable_case(request, case_id)
    if case is None:
        return _forbidden(request)
    form = TransitionForm(request.POST, allowed=flows.allowed_next_statuses(case), current=case.status)
    if not form.is_valid():
        return _detail(request, case, transition_form=form, status=400)
    try:
        flows.transition(
            case, form.cleaned_data["to_status"], request.user,
            note=form.cleaned_data["note"], visibility=form.cleaned_data["visibility"],
            extra_changes=form.resolution_changes(),
        )
    except CaseError as exc:
        return _detail(request, case, transition_form=form, error=exc.message, status=409)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_note(request, case_id: str):
    case = _visible_case(request, case_id)
    if not can_note_on(request.user, case):  # the case's collaborators too
        return _forbidden(request)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, note_form=form, status=400)
    try:
        notes.add_note(
            case, request.user, form.cleaned_data["text"], form.cleaned_data["visibility"]
        )
    except CaseError as exc:
        return _detail(request, case, note_form=form, error=exc.message, status=400)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_canned_reply(request, case_id: str):
    case = _changeable_case(request, case_id)
    if case is None or not can_add_notes(request.user):
        return _forbidden(request)
    form = CannedReplyForm(request.POST, replies=notes.canned_replies_for(case.mall))
    if not form.is_valid():
        return _detail(request, case, error=str(_("Choose a reply from the list.")), status=400)
    try:
        macros.apply_macro(case, request.user, form.cleaned_data["reply"])
    except CaseError as exc:
        return _detail(request, _visible_case(request, case_id), error=exc.message, status=409)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_priority(request, case_id: str):
    case = _changeable_case(request, case_id)
    if case is None:
        return _forbidden(request)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, priority_form=form, status=400)
    try:
        priority.set_priority(case, form.cleaned_data["priority"], request.user, form.cleaned_data["note"])
    except CaseError as exc:
        return _detail(request, case, priority_form=form, error=exc.message, status=409)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_escalate(request, case_id: str):
    """"Escalate now": the manager is told at once, with the reason."""
    case = _changeable_case(request, case_id)
    if case is None:
        return _forbidden(request)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, escalate_form=form, status=400)
    try:
        escalation.escalate_now(case, request.user, form.cleaned_data["reason"])
    except CaseError as exc:
        return _detail(request, case, escalate_form=form, error=exc.message, status=409)
    return redirect("cases:case_detail", case_id=case.pk)


@require_safe
@console_view
def deadlines(request):
    """The SLA view: what breaches within the next working hours, and what already has."""
    form = DeadlineWindowForm(request.GET or None)
    hours = form.cleaned_data["hours"] if form.is_valid() else sla.DEFAULT_HOURS
    visible = cases_visible_to(request.user)
    now = timezone.now()
    return render(request, "cases/console/deadlines.html", page_context(
        request, form=form, hours=hours, soon=sla.about_to_breach(visible, hours, now),
        late=sla.breached(visible, now), show_mall=sees_every_mall(request.user), live_refresh=True,
    ), status=400 if form.is_bound and not form.is_valid() else 200)


@require_safe
@console_view
def same_day_reports(request):
    """The end-of-day reports: what the desk could not settle that day, as reported."""
    if not can_view_reports(request.user):
        return _forbidden(request)
    reports = (SameDayReport.objects.filter(mall__in=visible_malls(request.user))
               .select_related("mall").order_by("-day", "mall_id")[:14])
    rows = [(report, list(report.cases.select_related("owner__staff_profile").order_by("due_at", "id")))
            for report in reports]
    return render(request, "cases/console/same_day_reports.html", page_context(
        request, rows=rows, show_mall=sees_every_mall(request.user), live_refresh=True))


@require_POST
@csrf_protect
@console_view
def case_hand_over(request, case_id: str):
    case = _changeable_case(request, case_id)
    if case is None:
        return _forbidden(request)
    form = HandOverForm(request.POST, handlers=case_handlers_for(case))
    if not form.is_valid():
        return _detail(request, case, hand_over_form=form, status=400)
    try:
        flows.hand_over(
            case, form.cleaned_data["new_owner"], request.user, note=form.cleaned_data["note"]
        )
    except CaseError as exc:
        return _detail(request, case, hand_over_form=form, error=exc.message, status=409)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_callback(request, case_id: str):
    case = _changeable_case(request, case_id)
    if case is None:
        return _forbidden(request)
    form = CallbackForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, callback_form=form, status=400)
    try:
        callbacks.record_callback(case, request.user, **form.cleaned_data)
    except CaseError as exc:
        return _detail(request, case, callback_form=form, error=exc.message, status=409)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
@csrf_protect
@console_view
def case_reveal_contact(request, case_id: str):
    """Show the full phone number once, on this response only; the reveal is audited."""
    case = _visible_case(request, case_id)
    if not can_reveal_contact_of(request.user, case):
        return _forbidden(request)
    response = _detail(request, case, revealed_phone=audit.reveal_contact(case, request.user))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@csrf_protect
@console_view
def case_attach(request, case_id: str):
    case = _changeable_case(request, case_id)
    if case is None or not can_add_attachments(request.user):
        return _forbidden(request)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, case, attachment_form=form, status=400)
    upload = form.cleaned_data["photo"]
    try:
        data = read_upload(upload, attachments.MAX_ATTACHMENT_BYTES)
        attachments.attach_photo(case, request.user, upload.name, data)
    except ImageRefused as refused:
        return _detail(request, case, error=refused.message, status=400)
    except CaseError as exc:
        return _detail(request, case, error=exc.message, status=400)
    return redirect("cases:case_detail", case_id=case.pk)


@require_safe
@console_view
def case_attachment(request, case_id: str, attachment_id: int):
    case = _visible_case(request, case_id)
    attachment = get_object_or_404(CaseAttachment, case=case, pk=attachment_id)
    response = HttpResponse(bytes(attachment.data), content_type=attachment.media_type)
    response["Content-Disposition"] = f'inline; filename="{attachment.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
