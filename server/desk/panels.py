"""The desk's panel on an emergency's console page: its incident, or the link to open one, and
"incident report due" once the emergency is over and no report is written. Registered with
`server.core.console.register_panel`, so the broadcasts app shows it without importing the desk."""
from __future__ import annotations

from django.template.loader import render_to_string

from server.broadcasts.models import Broadcast, Kind

from .access import can_keep_ledgers
from .incidents import report_due
from .models import Incident


def emergency_panel(request, broadcast: Broadcast) -> str:
    if broadcast.kind != Kind.EMERGENCY or not can_keep_ledgers(request.user):
        return ""
    incident = Incident.objects.filter(broadcast=broadcast).first()
    return render_to_string("desk/_emergency_panel.html", {
        "broadcast": broadcast, "incident": incident, "report_due": report_due(broadcast)}, request=request)
