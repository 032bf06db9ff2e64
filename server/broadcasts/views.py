"""Console pages: send a notice or an emergency, see which kiosks have shown it, end it."""
from __future__ import annotations

from datetime import timedelta

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from server.content.models import Level
from server.content.promotions import level_label
from server.core.console import page_context, staff_page
from server.malls.boundary import scope, visible_malls
from sync.protocol import I18nText

from . import services
from .access import can_broadcast
from .forms import BroadcastForm
from .models import Broadcast

RECENT_SHOWN = 20


broadcaster_view = staff_page(can_broadcast, "broadcasts/console/forbidden.html")


def _form(request, data=None, files=None) -> BroadcastForm:
    malls = visible_malls(request.user)
    levels = [(level.content_id, level_label(level) if malls.count() == 1 else f"{level.mall_id}: {level.short_name}")
              for level in scope(Level.objects.all(), request.user).order_by("mall", "ordinal")]
    return BroadcastForm(data, files, malls=malls, levels=levels)


def _list(request, form: BroadcastForm, error: str = "", status: int = 200):
    visible = scope(Broadcast.objects.all(), request.user)
    active = [b for b in visible.filter(ended_at__isnull=True) if services.is_active(b)]
    recent = [b for b in visible.order_by("-starts_at")[:RECENT_SHOWN] if b not in active]
    counts = services.shown_counts(active + recent)
    rows = lambda items: [{"broadcast": b, "shown": counts[b.id][0], "targeted": counts[b.id][1]} for b in items]  # noqa: E731
    return render(request, "broadcasts/console/broadcast_list.html", page_context(
        request, form=form, active=rows(active), recent=rows(recent), error=error,
    ), status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@broadcaster_view
def broadcast_list(request):
    if request.method != "POST":
        return _list(request, _form(request))
    form = _form(request, request.POST, request.FILES)
    if not form.is_valid():
        return _list(request, form, status=400)
    data = form.cleaned_data
    title, text = services.wording_for(
        data["reason"],
        I18nText(zh_CN=data["title_zh_cn"], en=data["title_en"], zh_TW=data["title_zh_tw"]),
        I18nText(zh_CN=data["text_zh_cn"], en=data["text_en"], zh_TW=data["text_zh_tw"]),
    )
    try:
        broadcast = services.send_broadcast(
            data["mall"], kind=data["kind"], reason=data["reason"], title=title, text=text,
            duration=timedelta(minutes=data["duration_minutes"]), level_ids=data["levels"], user=request.user,
            photo=data["photo"],
        )
    except services.BroadcastError as refused:
        return _list(request, form, error=_("Not sent: %(reason)s") % {"reason": refused}, status=400)
    return redirect("broadcasts:broadcast_detail", broadcast_id=broadcast.id)


def _visible(request, broadcast_id: str) -> Broadcast:
    return get_object_or_404(scope(Broadcast.objects.all(), request.user), pk=broadcast_id)


@require_safe
@broadcaster_view
def broadcast_detail(request, broadcast_id: str):
    broadcast = _visible(request, broadcast_id)
    found = services.deliveries(broadcast)
    short_names = dict(Level.objects.filter(mall_id=broadcast.mall_id).values_list("content_id", "short_name"))
    floors = [short_names.get(level_id, level_id) for level_id in broadcast.target_level_ids or []]
    return render(request, "broadcasts/console/broadcast_detail.html", page_context(
        request, broadcast=broadcast, deliveries=found, active=services.is_active(broadcast), floors=floors,
        shown=sum(1 for d in found if d.shown_at), targeted=len(found),
    ))


@require_POST
@broadcaster_view
def broadcast_end(request, broadcast_id: str):
    services.end_broadcast(_visible(request, broadcast_id), request.user)
    return redirect("broadcasts:broadcast_detail", broadcast_id=broadcast_id)
