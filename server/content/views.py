"""Console pages of the promotion editor: list, edit with preview, publish, proof of play."""
from __future__ import annotations

import functools

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from server.core.console import page_context, staff_page
from server.accounts.services import default_mall, mall_of

from . import promotions as editor
from . import services
from .forms import PromotionForm
from .models import ContentVersion, Promotion

EDIT_PROMOTIONS = "content.change_promotion"


def can_edit_promotions(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(EDIT_PROMOTIONS))


def _editors_mall(user):
    return mall_of(user) or (default_mall() if user.is_superuser else None)


def editor_view(view):
    """Content editors and managers of a mall (403 otherwise); the view gets their mall."""

    @staff_page(lambda user: can_edit_promotions(user) and _editors_mall(user) is not None,
                "content/console/forbidden.html")
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, _editors_mall(request.user), *args, **kwargs)

    return wrapped


def _list(request, mall, *, problems=(), published=None, status=200):
    latest = ContentVersion.objects.filter(mall=mall).order_by("-version").first()
    totals = editor.proof_of_play(mall)["totals"]
    rows = [{"promotion": p, **totals.get(p.content_id, {"impressions": 0, "touches": 0})}
            for p in Promotion.objects.filter(mall=mall)]
    return render(request, "content/console/promotion_list.html", page_context(
        request, mall=mall, rows=rows, latest=latest, problems=problems, published=published,
    ), status=status)


@require_safe
@editor_view
def promotion_list(request, mall):
    return _list(request, mall)


@require_http_methods(["GET", "HEAD", "POST"])
@editor_view
def promotion_edit(request, mall, content_id: str | None = None):
    instance = get_object_or_404(Promotion, mall=mall, content_id=content_id) if content_id else None
    if request.method != "POST":
        form = PromotionForm(instance=instance, mall=mall)
        return render(request, "content/console/promotion_edit.html", page_context(request, form=form, promotion=instance))
    form = PromotionForm(request.POST, request.FILES, instance=instance, mall=mall)
    error = ""
    if form.is_valid():
        upload = form.cleaned_data.get("image")
        try:
            saved = editor.save_promotion(form, mall, upload.read() if upload else None)
        except services.ContentError as refused:
            error = "; ".join(refused.problems)
        else:
            return redirect("content:promotion_edit", content_id=saved.content_id)
    return render(request, "content/console/promotion_edit.html",
                  page_context(request, form=form, promotion=instance, error=error), status=400)


@require_POST
@editor_view
def publish(request, mall):
    try:
        result = services.publish(mall, request.user, only_if_changed=True)
    except services.PublishError as refused:
        return _list(request, mall, problems=refused.problems, status=400)
    return _list(request, mall, published=result)


@require_safe
@editor_view
def proof_of_play(request, mall):
    report = editor.proof_of_play(mall)
    titles = dict(Promotion.objects.filter(mall=mall).values_list("content_id", "title_zh_cn"))
    for row in report["rows"]:
        row["title"] = titles.get(row["promotion"], _("(no longer in the draft)"))
    return render(request, "content/console/proof_of_play.html", page_context(request, mall=mall, report=report))
