"""The fleet's console pages: the fleet console (every kiosk's health, approval, keys, commands
and their results, offline alarm settings) and the promotion editor's proof-of-play page.

Proof of play sits beside the editor's pages (same URL prefix, same access: `editor_view`) but
lives here, with the kiosk events and counts it reads; content knows nothing of kiosks."""
from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from server.accounts.services import record_audit
from server.content.models import Promotion
from server.content.services import current_version
from server.content.views import editor_view
from server.core.console import page_context, staff_page
from server.fleet import plays, remote
from server.fleet.access import can_run_fleet, can_see_fleet
from server.fleet.forms import FleetSettingsForm
from server.fleet.models import CommandState, Kiosk, KioskAlarm, KioskCommand
from server.malls.boundary import scope, working_mall


def _day(value: str | None):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_safe
@editor_view
def proof_of_play(request, mall):
    """Impressions and touches over a range of days: per promotion, per kiosk, per day; filtered
    to one promotion or kiosk, also the detail per promotion, kiosk and day."""
    promotions = list(Promotion.objects.filter(mall=mall).order_by("position", "content_id")
                      .values_list("content_id", "title_zh_cn"))
    titles = dict(promotions)
    kiosks = list(Kiosk.objects.filter(mall=mall).order_by("code").values_list("code", "location_id"))
    chosen_promotion = request.GET.get("promotion", "")
    chosen_kiosk = request.GET.get("kiosk", "")
    chosen_promotion = chosen_promotion if chosen_promotion in titles else ""
    chosen_kiosk = chosen_kiosk if chosen_kiosk in dict(kiosks) else ""
    report = plays.proof_of_play(mall, _day(request.GET.get("from")), _day(request.GET.get("to")),
                                 promotion=chosen_promotion, kiosk=chosen_kiosk)
    gone = _("(no longer in the draft)")
    order = {content_id: position for position, (content_id, _title) in enumerate(promotions)}
    report["per_promotion"].sort(key=lambda row: (order.get(row["promotion"], len(order)), row["promotion"]))
    for row in report["per_promotion"] + report["rows"]:
        row["title"] = titles.get(row["promotion"], gone)
    return render(request, "fleet/console/proof_of_play.html", page_context(
        request, mall=mall, report=report, promotions=promotions, kiosks=kiosks,
        chosen_promotion=chosen_promotion, chosen_kiosk=chosen_kiosk,
    ))


# ---------------------------------------------------------------- the fleet console
fleet_viewer = staff_page(can_see_fleet, "fleet/console/forbidden.html")
fleet_operator = staff_page(can_run_fleet, "fleet/console/forbidden.html")

COMMAND_LABELS = {
    "reload": gettext_lazy("Reload content"),
    "restart": gettext_lazy("Restart the app"),
    "screenshot": gettext_lazy("Screenshot"),
    "set_volume": gettext_lazy("Set read-aloud volume"),
    "set_brightness": gettext_lazy("Set brightness"),
    "rotate_key": gettext_lazy("Rotate device key"),
    "set_maintenance_pin": gettext_lazy("New maintenance PIN"),
}
SUCCESS_WORDS = {
    "reload": gettext_lazy("Content checked and reloaded"),
    "restart": gettext_lazy("The app is restarting"),
    "screenshot": gettext_lazy("Screenshot received"),
    "set_volume": gettext_lazy("Read-aloud volume set to %(percent)s %%"),
    "set_brightness": gettext_lazy("Brightness set to %(percent)s %%"),
    "rotate_key": gettext_lazy("The kiosk uses its new key"),
    "set_maintenance_pin": gettext_lazy("The kiosk's maintenance screen takes the new PIN"),
}
RECENT_COMMANDS = 30


def _outcome(command: KioskCommand) -> tuple[str, str]:
    """What came of a finished command in the staff member's language, and the kiosk's own words."""
    if command.is_open:
        return "", ""
    if command.result in remote.SERVER_RESULTS:
        return _(command.result), ""
    if command.state == CommandState.SUCCEEDED:
        words = SUCCESS_WORDS.get(command.kind)
        percent = command.payload.get("percent", "") if isinstance(command.payload, dict) else ""
        return (str(words) % {"percent": percent} if words else _("Done")), command.result
    return (_("Not supported on this kiosk") if command.unsupported else _("Failed")), command.result


def _silent_after() -> timedelta:
    """How long without a heartbeat before the console calls a kiosk silent (three missed beats)."""
    return timedelta(seconds=3 * settings.CONCIERGE_HEARTBEAT_POLL_SECONDS)


def _row(kiosk: Kiosk, now, open_alarms: dict, latest_version: int | None) -> dict:
    contact = remote.last_contact(kiosk)
    alarm = open_alarms.get(kiosk.pk)
    if kiosk.revoked_at is not None:
        state, label = "revoked", _("Revoked")
    elif kiosk.approved_at is None:
        state, label = "pending", _("Waiting for approval")
    elif alarm is not None:
        state, label = "alarm", _("Offline: alarm raised")
    elif contact is None or now - contact > _silent_after():
        state, label = "silent", _("Silent")
    else:
        state, label = "online", _("Online")
    return {
        "kiosk": kiosk, "state": state, "state_label": label, "contact": contact, "alarm": alarm,
        "content_behind": latest_version is not None and kiosk.content_version != latest_version,
        "errors": list(kiosk.last_errors or [])[-3:],
        "uptime": timedelta(seconds=int(kiosk.uptime_s)) if kiosk.uptime_s is not None else None,
    }


def _fleet_page(request, mall, form: FleetSettingsForm | None = None, status: int = 200):
    now = timezone.now()
    kiosks = list(Kiosk.objects.filter(mall=mall).select_related("mall").order_by("code")) if mall else []
    open_alarms = {alarm.kiosk_id: alarm for alarm in KioskAlarm.objects.filter(
        kiosk__in=kiosks, cleared_at__isnull=True)}
    latest = current_version(mall.pk) if mall else None
    rows = [_row(kiosk, now, open_alarms, latest.version if latest else None) for kiosk in kiosks]
    if form is None and mall is not None:
        form = FleetSettingsForm(instance=remote.settings_of(mall))
    return render(request, "fleet/console/fleet_list.html", page_context(
        request, mall=mall, rows=rows, form=form, latest=latest, may_run=can_run_fleet(request.user),
        counts={state: sum(1 for row in rows if row["state"] == state)
                for state in ("online", "silent", "alarm", "pending", "revoked")},
    ), status=status)


@require_safe
@fleet_viewer
def fleet_list(request):
    """Every kiosk of the mall with its health as its heartbeats report it; the page refreshes itself."""
    return _fleet_page(request, working_mall(request))


@require_POST
@fleet_operator
def fleet_settings(request):
    mall = working_mall(request)
    if mall is None:
        raise Http404
    form = FleetSettingsForm(request.POST, instance=remote.settings_of(mall))
    if not form.is_valid():
        return _fleet_page(request, mall, form, status=400)
    form.save()
    record_audit(request.user, "fleet.settings", mall=mall,
                 detail=f"approval={form.cleaned_data['approval_required']} "
                        f"offline_after={form.cleaned_data['offline_after_minutes']}")
    return redirect(reverse("fleet:fleet_list") + "?saved=1")


def _visible_kiosk(request, kiosk_id: str) -> Kiosk:
    return get_object_or_404(scope(Kiosk.objects.select_related("mall"), request.user), pk=kiosk_id)


def _detail_page(request, kiosk: Kiosk, error: str = "", status: int = 200):
    now = timezone.now()
    open_alarms = {alarm.kiosk_id: alarm for alarm in KioskAlarm.objects.filter(kiosk=kiosk, cleared_at__isnull=True)}
    latest = current_version(kiosk.mall_id)
    commands = list(KioskCommand.objects.filter(kiosk=kiosk).select_related("created_by")
                    .defer("screenshot").order_by("-created_at")[:RECENT_COMMANDS])
    with_picture = set(KioskCommand.objects.filter(pk__in=[c.pk for c in commands], screenshot__isnull=False)
                       .values_list("pk", flat=True))
    history = [{"command": command, "label": COMMAND_LABELS.get(command.kind, command.kind),
                "has_screenshot": command.pk in with_picture, "outcome": _outcome(command)}
               for command in commands]
    newest_picture = next((entry["command"] for entry in history if entry["has_screenshot"]), None)
    return render(request, "fleet/console/kiosk_detail.html", page_context(
        request, kiosk=kiosk, row=_row(kiosk, now, open_alarms, latest.version if latest else None),
        history=history, newest_picture=newest_picture, error=error, may_run=can_run_fleet(request.user),
        alarms=KioskAlarm.objects.filter(kiosk=kiosk).order_by("-raised_at")[:5],
    ), status=status)


@require_safe
@fleet_viewer
def kiosk_detail(request, kiosk_id: str):
    """One kiosk: its health, the commands sent to it with what came of them, its latest screenshot."""
    return _detail_page(request, _visible_kiosk(request, kiosk_id))


def _back(kiosk: Kiosk):
    return redirect("fleet:kiosk_detail", kiosk_id=kiosk.pk)


@require_POST
@fleet_operator
def kiosk_approve(request, kiosk_id: str):
    kiosk = _visible_kiosk(request, kiosk_id)
    if kiosk.revoked_at is not None:
        return _detail_page(request, kiosk, _("A revoked kiosk cannot be approved."), status=409)
    remote.approve(kiosk)
    record_audit(request.user, "fleet.approve", mall=kiosk.mall, subject=kiosk.code)
    return _back(kiosk)


@require_POST
@fleet_operator
def kiosk_revoke(request, kiosk_id: str):
    kiosk = _visible_kiosk(request, kiosk_id)
    remote.revoke(kiosk)
    record_audit(request.user, "fleet.revoke", mall=kiosk.mall, subject=kiosk.code)
    return _back(kiosk)


@require_POST
@fleet_operator
def kiosk_rotate_key(request, kiosk_id: str):
    kiosk = _visible_kiosk(request, kiosk_id)
    try:
        remote.rotate_key(kiosk, request.user)
    except remote.CommandRefused as refused:
        return _detail_page(request, kiosk, str(refused), status=409)
    record_audit(request.user, "fleet.rotate_key", mall=kiosk.mall, subject=kiosk.code)
    return _back(kiosk)


@require_POST
@fleet_operator
def kiosk_command(request, kiosk_id: str):
    kiosk = _visible_kiosk(request, kiosk_id)
    kind = request.POST.get("kind", "")
    try:
        remote.send_command(kiosk, kind, request.user, request.POST.get("value", ""))
    except remote.CommandRefused as refused:
        return _detail_page(request, kiosk, str(refused), status=400)
    record_audit(request.user, "fleet.command", mall=kiosk.mall, subject=kiosk.code, detail=kind)
    return _back(kiosk)


@require_safe
@fleet_viewer
def command_screenshot(request, command_id: str):
    command = get_object_or_404(scope(KioskCommand.objects.filter(screenshot__isnull=False), request.user),
                                pk=command_id)
    response = HttpResponse(bytes(command.screenshot), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
