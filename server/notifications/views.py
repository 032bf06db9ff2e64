"""The console's notification settings page and the two live streams (thin: see live.py)."""
from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from server.cases.access import can_handle_cases
from server.core.console import page_context, staff_page
from server.malls.boundary import working_mall
from server.malls.models import Department

from . import live, outbox
from .access import can_manage_department_channels, can_set_notifications
from .forms import DepartmentChannelForm, StaffPreferenceForm
from .models import DEPARTMENT_TRIGGERS, STAFF_TRIGGERS, DepartmentChannel, Message, MessageStatus, StaffPreference

ALL_TRIGGERS = [trigger.value for trigger in STAFF_TRIGGERS]


def _own_form(user, data=None) -> StaffPreferenceForm:
    chosen = StaffPreference.objects.filter(user=user).values_list("email_triggers", flat=True).first()
    return StaffPreferenceForm(data, initial={"email_triggers": ALL_TRIGGERS if chosen is None else chosen})


def _department_forms(mall, data=None, bound: str = "") -> list[tuple[Department, DepartmentChannelForm]]:
    saved = {row.department: row for row in DepartmentChannel.objects.filter(mall=mall)}
    forms = []
    for department in Department:
        row = saved.get(department.value)
        initial = ({"webhook_url": row.webhook_url, "webhook_secret": row.webhook_secret, "mailbox": row.mailbox,
                    "triggers": row.triggers} if row else {"triggers": [t.value for t in DEPARTMENT_TRIGGERS]})
        forms.append((department, DepartmentChannelForm(data if department.value == bound else None,
                                                        prefix=department.value, initial=initial)))
    return forms


@staff_page(can_set_notifications, "notifications/forbidden.html")
def preferences(request):
    """One's own e-mails; for managers also each department's group robot and what was sent."""
    user, mall = request.user, working_mall(request)
    manager = mall is not None and can_manage_department_channels(user)
    own_form, bound_department, status = _own_form(user), "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "own":
            own_form = _own_form(user, request.POST)
            if own_form.is_valid():
                StaffPreference.objects.update_or_create(
                    user=user, defaults={"email_triggers": own_form.cleaned_data["email_triggers"]})
                return redirect(reverse("notifications:preferences") + "?saved=own")
            status = 400
        elif action == "department" and manager and request.POST.get("department") in Department.values:
            bound_department = request.POST["department"]
            form = dict(_department_forms(mall, request.POST, bound_department))[Department(bound_department)]
            if form.is_valid():
                DepartmentChannel.objects.update_or_create(mall=mall, department=bound_department,
                                                           defaults=form.cleaned_data)
                return redirect(reverse("notifications:preferences") + f"?saved={bound_department}")
            status = 400
        elif action == "retry" and manager:
            message = Message.objects.filter(mall=mall, pk=request.POST.get("message") or 0,
                                             status=MessageStatus.FAILED).first() if (
                request.POST.get("message") or "").isdigit() else None
            if message is None:
                return HttpResponseBadRequest(gettext("No failed notification of that number."))
            outbox.retry_now(message)
            return redirect(reverse("notifications:preferences") + "?saved=retry")
        else:
            return HttpResponseBadRequest(gettext("Unknown request."))
    context = page_context(
        request, own_form=own_form, manager=manager, mall=mall, saved=request.GET.get("saved", ""),
        email=user.email,
        department_forms=_department_forms(mall, request.POST, bound_department) if manager else [],
        sent=Message.objects.filter(mall=mall)[:50] if manager else [],
    )
    return render(request, "notifications/preferences.html", context, status=status)


def console_stream(request):
    """The live console's stream: new-case count and inbox version of the signed-in staff member."""
    user = request.user
    if not can_handle_cases(user):  # also read here, off the stream: the user is loaded now
        return HttpResponse(status=403)
    return live.event_stream(request, lambda: live.console_state(user))


def tracking_stream(request, token: str):
    """The tracking page's stream; a link that opens no case gets 404, like the page.

    `?since=` is when the page was made (seconds since the epoch): the first state says
    whether public progress came after it, so a change made between rendering the page and
    opening the stream is not missed; the page heeds it on its first state only.
    """
    since = request.GET.get("since", "")
    rendered_at = datetime.fromtimestamp(int(since), tz=UTC) if since.isdigit() and len(since) <= 12 else None
    if live.tracking_state(token) is None:
        return HttpResponseNotFound()
    first = [rendered_at]
    return live.event_stream(request, lambda: live.tracking_state(token, first.pop() if first else None))
