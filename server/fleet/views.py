"""The proof-of-play page of the promotion editor: what the kiosks played, from fleet's counts.

It sits beside the editor's pages (same URL prefix, same access: `editor_view`) but lives here,
with the kiosk events and counts it reads; content knows nothing of kiosks."""
from __future__ import annotations

from datetime import date

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from server.content.models import Promotion
from server.content.views import editor_view
from server.core.console import page_context
from server.fleet import plays
from server.fleet.models import Kiosk


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
