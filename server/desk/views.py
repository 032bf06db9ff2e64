"""The desk ledgers' console pages, under /console/desk/: thin; the rules are in the services."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from server.broadcasts.models import Broadcast
from server.core.console import page_context, staff_page
from server.malls.boundary import working_mall
from server.malls.models import person_name

from . import closing, first_aid, handovers, incidents, luggage, meetings
from .access import can_keep_ledgers, visible
from .errors import DeskError
from .flows import allowed_moves, move
from .forms import (
    LOCAL_MINUTE,
    CheckInForm,
    FirstAidForm,
    HandoverForm,
    IncidentForm,
    IncidentUpdateForm,
    MeetingForm,
    PickUpForm,
)
from .models import (
    ClosingRecord,
    FirstAidUse,
    Handover,
    Incident,
    IncidentStatus,
    LeftLuggage,
    LuggageStatus,
    MorningMeeting,
)
from .places import floor_choices, place_label, store_choices

RECENT = 50
Saved = TypeVar("Saved")
console_view = staff_page(can_keep_ledgers, "desk/forbidden.html")


def desk_page(view):
    """A console view of the ledgers of the mall the page works on, in that mall's time zone."""

    @functools.wraps(view)
    @console_view
    def wrapped(request, *args, **kwargs):
        mall = working_mall(request)
        if mall is None:
            return render(request, "desk/forbidden.html", page_context(request), status=403)
        request.desk_mall = mall
        with timezone.override(mall.zone):
            return view(request, mall, *args, **kwargs)

    return wrapped


def _render(request, template: str, status: int = 200, **context):
    """The page with the sub-menu's reminders: handovers nobody has acknowledged, incident reports due."""
    mall = request.desk_mall
    waiting = handovers.unacknowledged(Handover.objects.filter(mall=mall)).count()
    return render(request, template, page_context(request, waiting_handovers=waiting,
                                                  reports_due=len(incidents.emergencies_due(mall)), **context),
                  status=status)


def _now_local() -> str:
    return timezone.localtime().strftime(LOCAL_MINUTE)


def _save_posted(request, form, save: Callable[..., Saved]) -> tuple[Saved | None, str]:
    """A ledger form sent in: (what `save(**the form's values)` recorded, "") when the form is
    valid and the rules allow it, (None, the rule it broke) when they do not; (None, "") for a
    form only shown or not valid, which shows its own errors."""
    if request.method != "POST" or not form.is_valid():
        return None, ""
    try:
        return save(**form.cleaned_data), ""
    except DeskError as exc:
        return None, exc.message


def _form_status(request) -> int:
    """A form page's status: 400 when it is shown again after a send that recorded nothing."""
    return 400 if request.method == "POST" else 200


# ---------------------------------------------------------------- left luggage
@require_safe
@desk_page
def luggage_list(request, mall):
    stored = visible(LeftLuggage.objects.filter(mall=mall), request.user)
    today = timezone.localdate()
    return _render(request, "desk/luggage_list.html", open_items=luggage.open_luggage(stored),
                   picked_up_today=stored.filter(status=LuggageStatus.PICKED_UP, picked_up_at__date=today)
                   .order_by("-picked_up_at")[:RECENT],
                   pick_up_form=PickUpForm(), closes_at=closing.closing_time(mall, today))


@desk_page
def luggage_create(request, mall):
    form = CheckInForm(request.POST or None)
    item, error = _save_posted(request, form, functools.partial(luggage.check_in, mall, request.user))
    if item is not None:
        return redirect("desk:luggage_detail", luggage_id=item.pk)
    return _render(request, "desk/luggage_form.html", status=_form_status(request), form=form, error=error)


@require_safe
@desk_page
def luggage_find(request, mall):
    """The pick-up lookup: the ticket read aloud, typed, or scanned from its QR code (whose URL
    leads here too)."""
    form = PickUpForm(request.GET)
    error = ""
    if form.is_valid():
        try:
            item = luggage.find_by_ticket(visible(LeftLuggage.objects.filter(mall=mall), request.user),
                                          form.cleaned_data["ticket"])
        except DeskError as exc:
            error = exc.message
        else:
            return redirect("desk:luggage_detail", luggage_id=item.pk)
    stored = visible(LeftLuggage.objects.filter(mall=mall), request.user)
    return _render(request, "desk/luggage_list.html", status=400, open_items=luggage.open_luggage(stored),
                   picked_up_today=[], pick_up_form=form, error=error,
                   closes_at=closing.closing_time(mall, timezone.localdate()))


def _visible_luggage(request, mall, luggage_id: int) -> LeftLuggage:
    return get_object_or_404(visible(LeftLuggage.objects.filter(mall=mall), request.user), pk=luggage_id)


@require_safe
@desk_page
def luggage_detail(request, mall, luggage_id: int):
    item = _visible_luggage(request, mall, luggage_id)
    return _render(request, "desk/luggage_detail.html", item=item, can_pick_up=bool(allowed_moves(item)))


@require_POST
@desk_page
def luggage_pick_up(request, mall, luggage_id: int):
    item = _visible_luggage(request, mall, luggage_id)
    try:
        luggage.pick_up(item, request.user)
    except DeskError as exc:
        return _render(request, "desk/luggage_detail.html", status=409, item=item, error=exc.message,
                       can_pick_up=False)
    return redirect("desk:luggage_detail", luggage_id=item.pk)


@require_safe
@desk_page
def luggage_ticket(request, mall, luggage_id: int):
    """The claim ticket for the desk's receipt printer: the number to read aloud and a QR code
    that opens the pick-up at the desk (staff sign-in needed). No phone or description on it."""
    from server.cases.presentation import qr_svg

    item = _visible_luggage(request, mall, luggage_id)
    scan_url = request.build_absolute_uri(reverse("desk:luggage_find") + f"?ticket={item.ticket}")
    return _render(request, "desk/luggage_ticket.html", item=item, mall=mall, qr=qr_svg(scan_url))


@require_safe
@desk_page
def luggage_closing(request, mall):
    records = visible(ClosingRecord.objects.filter(mall=mall), request.user).prefetch_related("luggage")[:14]
    stored = visible(LeftLuggage.objects.filter(mall=mall), request.user)
    return _render(request, "desk/luggage_closing.html", open_items=luggage.open_luggage(stored), records=records,
                   closes_at=closing.closing_time(mall, timezone.localdate()))


# ---------------------------------------------------------------- first aid
@desk_page
def first_aid_list(request, mall):
    form = FirstAidForm(request.POST or None, incidents=visible(Incident.objects.filter(mall=mall), request.user),
                        initial={"used_at": _now_local(), "given_by": person_name(request.user),
                                 "incident": request.GET.get("incident", "")[:20]})
    use, error = _save_posted(request, form, functools.partial(first_aid.record_use, mall, request.user))
    if use is not None:
        return redirect("desk:first_aid_list")
    uses = visible(FirstAidUse.objects.filter(mall=mall), request.user).select_related("incident")[:RECENT * 4]
    return _render(request, "desk/first_aid.html", status=_form_status(request), form=form, error=error, uses=uses)


# ---------------------------------------------------------------- incidents
@require_safe
@desk_page
def incident_list(request, mall):
    rows = visible(Incident.objects.filter(mall=mall), request.user)[:RECENT * 4]
    language = request.page_language
    return _render(request, "desk/incident_list.html", due=incidents.emergencies_due(mall), incidents=[
        (incident, place_label(mall, language, incident.level_id, incident.store_id, incident.place))
        for incident in rows])


def _emergency(request, mall) -> Broadcast | None:
    broadcast_id = request.GET.get("broadcast") or request.POST.get("broadcast") or ""
    if not broadcast_id:
        return None
    return get_object_or_404(incidents.emergencies(mall), pk=broadcast_id[:26])


@desk_page
def incident_create(request, mall):
    broadcast = _emergency(request, mall)
    if broadcast is not None and hasattr(broadcast, "incident"):
        return redirect("desk:incident_detail", incident_id=broadcast.incident.pk)
    initial = {"occurred_at": _now_local()}
    if broadcast is not None:
        initial |= incidents.initial_for(broadcast)
        initial["occurred_at"] = timezone.localtime(broadcast.starts_at).strftime(LOCAL_MINUTE)
    form = IncidentForm(request.POST or None, initial=initial)
    form.set_places(floor_choices(mall), store_choices(mall, request.page_language))
    incident, error = _save_posted(request, form, functools.partial(
        incidents.record_incident, mall, request.user, broadcast=broadcast))
    if incident is not None:
        return redirect("desk:incident_detail", incident_id=incident.pk)
    return _render(request, "desk/incident_form.html", status=_form_status(request),
                   form=form, error=error, broadcast=broadcast)


def _visible_incident(request, mall, incident_id: int) -> Incident:
    return get_object_or_404(visible(Incident.objects.filter(mall=mall), request.user)
                             .select_related("broadcast"), pk=incident_id)


def _incident_page(request, mall, incident, *, form=None, error: str = "", status: int = 200):
    form = form or IncidentUpdateForm(initial={"helpers": incident.helpers, "follow_up": incident.follow_up,
                                               "report": incident.report})
    return _render(request, "desk/incident_detail.html", status=status, incident=incident, form=form, error=error,
                   place=place_label(mall, request.page_language, incident.level_id, incident.store_id,
                                     incident.place),
                   moves=allowed_moves(incident), statuses=IncidentStatus,
                   report_due=incident.broadcast is not None and incidents.report_due(incident.broadcast),
                   uses=incident.first_aid_uses.all())


@desk_page
def incident_detail(request, mall, incident_id: int):
    incident = _visible_incident(request, mall, incident_id)
    if request.method != "POST":
        return _incident_page(request, mall, incident)
    form = IncidentUpdateForm(request.POST)
    if not form.is_valid():
        return _incident_page(request, mall, incident, form=form, status=400)
    incidents.update_incident(incident, request.user, **form.cleaned_data)
    return redirect("desk:incident_detail", incident_id=incident.pk)


@require_POST
@desk_page
def incident_move(request, mall, incident_id: int):
    incident = _visible_incident(request, mall, incident_id)
    target = request.POST.get("status", "")
    if target not in IncidentStatus.values:
        return _incident_page(request, mall, incident, error=gettext("That is not a status an incident can have."),
                              status=400)
    try:
        move(incident, target, request.user)
    except DeskError as exc:
        return _incident_page(request, mall, incident, error=exc.message, status=409)
    return redirect("desk:incident_detail", incident_id=incident.pk)


# ---------------------------------------------------------------- handover book
@require_safe
@desk_page
def handover_list(request, mall):
    rows = visible(Handover.objects.filter(mall=mall), request.user)
    return _render(request, "desk/handover_list.html", waiting=handovers.unacknowledged(rows),
                   recent=rows.exclude(pk__in=handovers.unacknowledged(rows).values("pk"))[:RECENT],
                   last_closing=closing.last_closing(mall))


@desk_page
def handover_create(request, mall):
    form = HandoverForm(request.POST or None, cases=handovers.open_cases(mall),
                        found_items=handovers.stored_items(mall), luggage=handovers.stored_luggage(mall))
    handover, error = _save_posted(request, form, functools.partial(handovers.write_handover, mall, request.user))
    if handover is not None:
        return redirect("desk:handover_detail", handover_id=handover.pk)
    return _render(request, "desk/handover_form.html", status=_form_status(request),
                   form=form, error=error, last_closing=closing.last_closing(mall))


def _visible_handover(request, mall, handover_id: int) -> Handover:
    return get_object_or_404(visible(Handover.objects.filter(mall=mall), request.user), pk=handover_id)


def _handover_page(request, handover, *, error: str = "", status: int = 200):
    return _render(request, "desk/handover_detail.html", status=status, handover=handover, error=error,
                   may_acknowledge=bool(allowed_moves(handover)) and handover.written_by_id != request.user.pk)


@require_safe
@desk_page
def handover_detail(request, mall, handover_id: int):
    return _handover_page(request, _visible_handover(request, mall, handover_id))


@require_POST
@desk_page
def handover_acknowledge(request, mall, handover_id: int):
    handover = _visible_handover(request, mall, handover_id)
    try:
        handovers.acknowledge(handover, request.user)
    except DeskError as exc:
        return _handover_page(request, handover, error=exc.message, status=409)
    return redirect("desk:handover_detail", handover_id=handover.pk)


# ---------------------------------------------------------------- morning meetings
@desk_page
def meeting_list(request, mall):
    form = MeetingForm(request.POST or None, initial={"day": timezone.localdate()})
    meeting, error = _save_posted(request, form, functools.partial(meetings.record_meeting, mall, request.user))
    if meeting is not None:
        return redirect("desk:meeting_detail", meeting_id=meeting.pk)
    rows = visible(MorningMeeting.objects.filter(mall=mall), request.user)[:RECENT]
    return _render(request, "desk/meeting_list.html", status=_form_status(request), form=form, error=error,
                   meetings=rows)


@require_safe
@desk_page
def meeting_detail(request, mall, meeting_id: int):
    meeting = get_object_or_404(visible(MorningMeeting.objects.filter(mall=mall), request.user), pk=meeting_id)
    return _render(request, "desk/meeting_detail.html", meeting=meeting)
