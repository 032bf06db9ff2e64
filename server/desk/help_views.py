"""The help requests' console pages, under /console/desk/help/: the list, the alert banner every
console page fetches when the live stream says the open requests changed, "I'm on my way" and
"resolved". Thin: the rules are in help.py."""
from __future__ import annotations

import functools

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from server.core.console import page_context, staff_page
from server.malls.boundary import working_mall

from . import help as assistance
from .access import can_keep_ledgers, visible
from .errors import DeskError
from .models import HelpRequest

RECENT = 50
console_view = staff_page(can_keep_ledgers, "desk/forbidden.html")


def help_page(view):
    """A console view of the help requests of the mall the page works on, in its time zone."""

    @functools.wraps(view)
    @console_view
    def wrapped(request, *args, **kwargs):
        mall = working_mall(request)
        if mall is None:
            return render(request, "desk/forbidden.html", page_context(request), status=403)
        with timezone.override(mall.zone):
            return view(request, mall, *args, **kwargs)

    return wrapped


def _rows(request, mall):
    return visible(HelpRequest.objects.filter(mall=mall), request.user)


@require_safe
@help_page
def help_list(request, mall):
    rows = _rows(request, mall)
    return render(request, "desk/help_list.html", page_context(
        request, open_requests=rows.filter(resolved_at__isnull=True).order_by("received_at", "id"),
        resolved=rows.filter(resolved_at__isnull=False)[:RECENT]))


@require_safe
@help_page
def help_alert(request, mall):
    """The banner alone (no page around it), for the live console's script to put on top."""
    return render(request, "desk/_help_alert.html", {
        "open_requests": _rows(request, mall).filter(resolved_at__isnull=True).order_by("received_at", "id"),
        "back": request.GET.get("back", "")})


def _back(request) -> str:
    back = request.POST.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return back
    return ""


def _act(request, mall, help_request_id: str, action):
    held = get_object_or_404(_rows(request, mall), pk=help_request_id)
    try:
        action(held, request.user)
    except DeskError as exc:
        rows = _rows(request, mall)
        return render(request, "desk/help_list.html", page_context(
            request, error=exc.message,
            open_requests=rows.filter(resolved_at__isnull=True).order_by("received_at", "id"),
            resolved=rows.filter(resolved_at__isnull=False)[:RECENT]), status=409)
    return redirect(_back(request) or "desk:help_list")


@require_POST
@help_page
def help_acknowledge(request, mall, help_request_id: str):
    return _act(request, mall, help_request_id, assistance.acknowledge)


@require_POST
@help_page
def help_resolve(request, mall, help_request_id: str):
    return _act(request, mall, help_request_id, assistance.resolve)
