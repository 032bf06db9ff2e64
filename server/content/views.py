"""Console pages of the promotion editor: list, edit with preview, publish. The proof-of-play
page beside them is fleet's (server/fleet/views.py), which counts what the kiosks played."""
from __future__ import annotations

import functools

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from server.core.console import page_context, staff_page
from server.malls.boundary import visible_malls, working_mall

from . import promotions as editor
from . import services
from .forms import PromotionForm
from .guard import may_confirm_losses
from .models import ContentVersion, Promotion

EDIT_PROMOTIONS = "content.change_promotion"


def can_edit_promotions(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(EDIT_PROMOTIONS))


def editor_view(view):
    """Content editors and managers of a mall, administrators for any (403 otherwise); the view
    gets the mall."""

    @staff_page(lambda user: can_edit_promotions(user) and visible_malls(user).exists(),
                "content/console/forbidden.html")
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, working_mall(request), *args, **kwargs)

    return wrapped


def _list(request, mall, *, problems=(), published=None, refused=None, status=200):
    latest = ContentVersion.objects.filter(mall=mall).order_by("-version").first()
    totals = editor.play_totals(mall)
    rows = [{"promotion": p, **totals.get(p.content_id, {"impressions": 0, "touches": 0})}
            for p in Promotion.objects.filter(mall=mall).order_by("position", "content_id")]
    return render(request, "content/console/promotion_list.html", page_context(
        request, mall=mall, rows=rows, latest=latest, problems=problems, published=published,
        refused=refused, may_confirm=may_confirm_losses(request.user, mall),
    ), status=status)


@require_safe
@editor_view
def promotion_list(request, mall):
    return _list(request, mall)


def _edit_page(request, form, promotion, *, error="", status=200):
    preview = None
    if promotion is not None:
        promotion.refresh_from_db()  # the saved draft, not what a refused form left in the instance
        preview = {"schedule": editor.schedule_summary(promotion), "publication": editor.publication_of(promotion),
                   "store": promotion.store, "category": promotion.category,
                   "texts": [(html_lang, getattr(promotion, f"title_{suffix}"), getattr(promotion, f"text_{suffix}"),
                              _leads_to(promotion, suffix))
                             for html_lang, suffix in (("zh-Hans", "zh_cn"), ("en", "en"), ("zh-Hant", "zh_tw"))]}
    return render(request, "content/console/promotion_edit.html",
                  page_context(request, form=form, promotion=promotion, preview=preview, error=error), status=status)


def _leads_to(promotion, suffix: str) -> str:
    """The store's or category's name in one language (Chinese where it has none), "" for neither."""
    linked = promotion.store or promotion.category
    if linked is None:
        return ""
    return getattr(linked, f"name_{suffix}", "") or linked.name_zh_cn


@require_http_methods(["GET", "HEAD", "POST"])
@editor_view
def promotion_edit(request, mall, content_id: str | None = None):
    instance = get_object_or_404(Promotion, mall=mall, content_id=content_id) if content_id else None
    if request.method != "POST":
        return _edit_page(request, PromotionForm(instance=instance, mall=mall), instance)
    form = PromotionForm(request.POST, request.FILES, instance=instance, mall=mall)
    error = ""
    if form.is_valid():
        try:
            saved = editor.save_promotion(form, mall, form.cleaned_data.get("image"))
        except services.ContentError as refused:
            error = "; ".join(refused.problems)
        else:
            return redirect("content:promotion_edit", content_id=saved.content_id)
    return _edit_page(request, form, instance, error=error, status=400)


@require_POST
@editor_view
def publish(request, mall):
    try:
        result = services.publish(mall, request.user, only_if_changed=True,
                                  confirm_losses=request.POST.get("confirm_losses", ""))
    except services.UnconfirmedLosses as refused:
        return _list(request, mall, refused=refused, status=409)
    except services.PublishError as refused:
        return _list(request, mall, problems=refused.problems, status=400)
    return _list(request, mall, published=result)
