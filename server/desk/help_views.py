"""The help requests' console pages, under /console/desk/help/: the list, the alert banner every
console page fetches when the live stream says the open requests changed, "I'm on my way" and
"resolved". Thin: the rules are in help.py."""
from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from server.core.console import page_context

from . import help as assistance
from .access import visible
from .errors import DeskError
from .models import HelpRequest
from .views import desk_page  # the same console page: the working mall, in its time zone

RECENT = 50


def _rows(request, mall):
    return visible(HelpRequest.objects.filter(mall=mall), request.user)


@require_safe
@desk_page
def help_list(request, mall):
    rows = _rows(request, mall)
    return render(request, "desk/help_list.html", page_context(
        request, open_requests=rows.filter(resolved_at__isnull=True).order_by("received_at", "id"),
        resolved=rows.filter(resolved_at__isnull=False)[:RECENT]))


@require_safe
@desk_page
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
@desk_page
def help_acknowledge(request, mall, help_request_id: str):
    return _act(request, mall, help_request_id, assistance.acknowledge)


@require_POST
@desk_page
def help_resolve(request, mall, help_request_id: str):
    return _act(request, mall, help_request_id, assistance.resolve)
