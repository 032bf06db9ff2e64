"""The phone route page (/r/<mall>/<from>/<to>) and the console's wayfinding section.

The phone page is server-rendered, without JavaScript, its map inline SVG: it opens in the
in-app browsers of WeChat and Alipay. Its words are the kiosk's own (the wayfinding catalog),
so a phone reads exactly what the kiosk showed.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from server.accounts.services import record_audit
from server.content import services as content_services
from server.content.guard import may_confirm_losses
from server.core.console import page_context, staff_page
from server.core.language import in_page_language
from server.malls.boundary import sees_every_mall, working_mall
from server.malls.models import Mall
from server.wayfinding import maps, services
from server.wayfinding.exports import ExportError, export_version
from server.wayfinding.svg import plan_drawings, route_drawings
from venue.i18n import load_translations
from venue.languages import kiosk_code
from venue.routing.graph import VISITOR_PROFILES
from venue.routing.wording import (
    PROFILE_LABELS,
    UNREACHABLE_MESSAGES,
    closure_reason,
    describe_step,
    walking_time_text,
)

CONNECTOR_KIND_LABELS = {"lift": gettext_lazy("Lift"), "escalator": gettext_lazy("Escalator"),
                         "stairs": gettext_lazy("Stairs"), "ramp": gettext_lazy("Ramp")}


# ---------------------------------------------------------------- phone
@require_http_methods(["GET", "HEAD"])
@in_page_language()
def route_page(request, mall_id: str, origin_id: str, destination_id: str):
    language = kiosk_code(request.page_language)
    tr = load_translations(language).gettext
    profile = request.GET.get("profile", "standard")
    if profile not in VISITOR_PROFILES:
        profile = "standard"
    context = {"language_links": request.page_language_links, "html_lang": request.page_html_lang, "tr": tr}
    found = services.phone_route(mall_id, origin_id, destination_id, profile)
    if found is None:
        context.update(title=tr("This route is not available"),
                       message=tr("The place or the map has changed. Please ask at the service desk."))
        return render(request, "wayfinding/route_missing.html", context, status=404)
    content, route = found
    place = route.destination.name.get(language)
    context.update(
        mall_name=content.mall.name.get(language),
        title=tr("Your route to {place}").format(place=place),
        origin=tr("From {place}").format(place=route.origin.name.get(language)),
        reason=closure_reason(route, content, language, tr),
        profiles=[{"label": tr(PROFILE_LABELS[p]), "current": p == profile,
                   "href": "?" + urlencode({"profile": p, "lang": request.page_language})} for p in VISITOR_PROFILES],
    )
    if not route.reachable:
        context["problem"] = tr(UNREACHABLE_MESSAGES[profile]).format(place=place)
        if route.alternative is not None:
            alternative = route.alternative.destination
            context["alternative"] = {
                "label": tr("Show the way to {place}").format(place=alternative.name.get(language)),
                "href": reverse("wayfinding:route", args=[mall_id, origin_id, alternative.id])
                + "?" + urlencode({"profile": profile, "lang": request.page_language}),
            }
        return render(request, "wayfinding/route.html", context)
    levels = {level.id: level.short_name for level in content.levels}
    drawings = route_drawings(content, route, language, tr("You are here"))
    steps = []
    for step in route.steps:
        title, detail = describe_step(step, language, tr)
        steps.append({"title": title, "detail": detail, "floor": levels.get(step.level_id, step.level_id)})
    context.update(summary=walking_time_text(route, language, tr), steps=steps, drawings=drawings)
    response = render(request, "wayfinding/route.html", context)
    response["Cache-Control"] = "private, max-age=60"
    return response


# ---------------------------------------------------------------- console
def can_manage_wayfinding(user) -> bool:
    """Content editors, managers and administrators: they keep the map and its closures."""
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.has_perm("malls.change_mall")))


console_view = staff_page(can_manage_wayfinding, "wayfinding/forbidden.html")


@console_view
def console(request):
    mall = working_mall(request)
    if mall is None:
        return render(request, "wayfinding/console.html", page_context(request, mall=None))
    language = kiosk_code(request.page_language)
    found = services.published(mall.id)
    connector_rows = services.connectors(found[1], language) if found else []
    check = services.map_check(mall) if request.GET.get("check") or request.method == "POST" else None
    return render(request, "wayfinding/console.html", page_context(
        request, mall=mall, version=found[0] if found else None, connectors=connector_rows,
        closed_count=sum(1 for row in connector_rows if row.closed), check=check, kind_labels=CONNECTOR_KIND_LABELS,
        malls=Mall.objects.order_by("pk") if sees_every_mall(request.user) else [],
    ))


@require_POST
@console_view
def close_connector(request):
    mall = working_mall(request)
    connector_id = request.POST.get("connector", "")
    closed = request.POST.get("closed") == "1"
    if mall is None:
        return HttpResponseRedirect(reverse("wayfinding:console"))
    try:
        version = services.set_connector_closed(mall, connector_id, closed, request.user,
                                                confirm_losses=request.POST.get("confirm_losses", ""))
    except content_services.UnconfirmedLosses as refused:
        return _refused_page(request, mall, refused, reverse("wayfinding:close_connector"),
                             [("mall", mall.pk), ("connector", connector_id), ("closed", "1" if closed else "0")])
    except services.ClosureError as error:
        messages.error(request, _("Not changed: %(reason)s") % {"reason": error})
    else:
        record_audit(request.user, "wayfinding.close" if closed else "wayfinding.reopen", mall=mall,
                     subject=connector_id, detail=f"content version {version.version}")
        names = {row.id: row.name for row in services.connectors(services.published(mall.id)[1],
                                                                 kiosk_code(request.page_language))}
        messages.success(request, (_("%(connector)s is closed. Kiosks reroute when they next fetch content "
                                     "(version %(version)d).") if closed else
                                   _("%(connector)s is open again. Kiosks pick it up with version %(version)d."))
                         % {"connector": names.get(connector_id, connector_id), "version": version.version})
    return HttpResponseRedirect(_console_url(mall))


@require_POST
@console_view
def publish(request):
    """Publish the draft when the map check passes; otherwise list what is wrong, publish nothing."""
    mall = working_mall(request)
    if mall is None:
        return HttpResponseRedirect(reverse("wayfinding:console"))
    try:
        result = content_services.publish(mall, request.user, only_if_changed=True,
                                          confirm_losses=request.POST.get("confirm_losses", ""))
    except content_services.UnconfirmedLosses as refused:
        return _refused_page(request, mall, refused, reverse("wayfinding:publish"), [("mall", mall.pk)])
    except content_services.PublishError as error:
        language = kiosk_code(request.page_language)
        found = services.published(mall.id)
        return render(request, "wayfinding/console.html", page_context(
            request, mall=mall, version=found[0] if found else None,
            connectors=services.connectors(found[1], language) if found else [], check=error.problems,
            kind_labels=CONNECTOR_KIND_LABELS,
            refused=True, malls=Mall.objects.order_by("pk") if sees_every_mall(request.user) else [],
        ), status=409)
    record_audit(request.user, "content.publish", mall=mall, subject=f"v{result.version.version}")
    if result.created:
        messages.success(request, _("Published as version %(version)d.") % {"version": result.version.version})
    else:
        messages.info(request, _("Nothing changed since version %(version)d.") % {"version": result.version.version})
    return HttpResponseRedirect(_console_url(mall))


def _refused_page(request, mall: Mall, refused, confirm_action: str, confirm_fields: list[tuple[str, object]]):
    """The console with the publish guard's losses and, for a manager, the confirmation form
    that repeats the refused request with the loss's fingerprint."""
    language = kiosk_code(request.page_language)
    found = services.published(mall.id)
    return render(request, "wayfinding/console.html", page_context(
        request, mall=mall, version=found[0] if found else None,
        connectors=services.connectors(found[1], language) if found else [], kind_labels=CONNECTOR_KIND_LABELS,
        refused_losses=refused, may_confirm=may_confirm_losses(request.user, mall),
        confirm_action=confirm_action, confirm_fields=confirm_fields,
        malls=Mall.objects.order_by("pk") if sees_every_mall(request.user) else [],
    ), status=409)


def _console_url(mall: Mall) -> str:
    return reverse("wayfinding:console") + "?" + urlencode({"mall": mall.pk})


# ---------------------------------------------------------------- maps: upload, review, publish
def _review_page(request, mall: Mall, kept, *, refused=None, problems=None, status=200):
    language = kiosk_code(request.page_language)
    found = services.published(mall.id)
    live = found[1] if found else None
    losses = refused.losses if refused is not None else maps.losses(mall, kept.content)
    return render(request, "wayfinding/map_review.html", page_context(
        request, mall=mall, version=found[0] if found else None,
        report=[sentence.text(gettext).removeprefix("- ") for sentence in kept.report],
        problems=content_services.validate_mall_content(kept.content) if problems is None else problems,
        changes=maps.diff(live, kept.content, language), losses=losses, refused=refused,
        may_confirm=may_confirm_losses(request.user, mall), confirm_action=reverse("wayfinding:map_publish"),
        confirm_fields=[("mall", mall.pk)], drawings=plan_drawings(kept.content, language),
        counts={"levels": len(kept.content.levels), "stores": len(kept.content.stores),
                "facilities": len(kept.content.facilities)},
    ), status=status)


@require_POST
@console_view
def map_upload(request):
    mall = working_mall(request)
    upload = request.FILES.get("archive")
    if mall is None or upload is None:
        messages.error(request, _("Choose an IMDF archive (.zip) to upload."))
        return HttpResponseRedirect(reverse("wayfinding:console") + "#maps")
    try:
        content, report = maps.read_archive(mall, upload)
    except maps.MapRefused as refused:
        return render(request, "wayfinding/map_review.html", page_context(
            request, mall=mall, unreadable=[sentence.text(gettext) for sentence in refused.sentences]), status=400)
    maps.keep(request, mall, content, report)
    return HttpResponseRedirect(reverse("wayfinding:map_review") + "?" + urlencode({"mall": mall.pk}))


@require_safe
@console_view
def map_review(request):
    mall = working_mall(request)
    kept = maps.candidate(request, mall) if mall is not None else None
    if kept is None:
        messages.info(request, _("There is no uploaded map waiting (it is kept for an hour). Upload it again."))
        return HttpResponseRedirect(reverse("wayfinding:console") + "#maps")
    return _review_page(request, mall, kept)


@require_POST
@console_view
def map_publish(request):
    mall = working_mall(request)
    kept = maps.candidate(request, mall) if mall is not None else None
    if kept is None:
        messages.info(request, _("There is no uploaded map waiting (it is kept for an hour). Upload it again."))
        return HttpResponseRedirect(reverse("wayfinding:console") + "#maps")
    try:
        result = maps.publish(mall, request.user, kept.content, request.POST.get("confirm_losses", ""))
    except content_services.UnconfirmedLosses as refused:
        return _review_page(request, mall, kept, refused=refused, status=409)
    except content_services.ContentError as error:
        return _review_page(request, mall, kept, problems=error.problems, status=400)
    maps.discard(request, mall)
    record_audit(request.user, "wayfinding.map_publish", mall=mall, subject=f"v{result.version.version}",
                 detail=f"IMDF upload, candidate {kept.sha256}")
    messages.success(request, _("The new map is published as version %(version)d. Kiosks show it after their "
                                "next content sync.") % {"version": result.version.version})
    return HttpResponseRedirect(_console_url(mall))


@require_POST
@console_view
def map_discard(request):
    mall = working_mall(request)
    if mall is not None:
        maps.discard(request, mall)
    messages.info(request, _("The uploaded map was discarded; nothing was published."))
    return HttpResponseRedirect(reverse("wayfinding:console") + "#maps")


@require_safe
@console_view
def map_export(request):
    """The live version as an IMDF archive."""
    mall = working_mall(request)
    try:
        data, number = export_version(mall.pk) if mall is not None else (None, 0)
    except ExportError:
        data = None
    if data is None:
        messages.error(request, _("Nothing is published for this mall yet."))
        return HttpResponseRedirect(reverse("wayfinding:console") + "#maps")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{mall.pk}-v{number}.imdf.zip"'
    return response
