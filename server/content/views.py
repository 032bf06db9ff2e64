"""Console pages of the promotion editor: list, edit with preview, publish, proof of play."""
from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from server.accounts.services import default_mall, mall_of
from server.core.language import in_page_language

from . import promotions as editor
from . import services
from .forms import PromotionForm
from .models import ContentVersion, Promotion

EDIT_PROMOTIONS = "content.change_promotion"


def can_edit_promotions(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(EDIT_PROMOTIONS))


def _context(request, **extra) -> dict:
    return {"language_links": request.page_language_links, "html_lang": request.page_html_lang, **extra}


def editor_view(view):
    @functools.wraps(view)
    @in_page_language(default="zh-hans")
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        mall = mall_of(request.user) or (default_mall() if request.user.is_superuser else None)
        if not can_edit_promotions(request.user) or mall is None:
            return render(request, "content/console/forbidden.html", _context(request), status=403)
        return view(request, mall, *args, **kwargs)

    return wrapped


def _list(request, mall, *, problems=(), published=None, status=200):
    latest = ContentVersion.objects.filter(mall=mall).order_by("-version").first()
    totals = editor.proof_of_play(mall)["totals"]
    rows = [{"promotion": p, **totals.get(p.content_id, {"impressions": 0, "touches": 0})}
            for p in Promotion.objects.filter(mall=mall)]
    return render(request, "content/console/promotion_list.html", _context(
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
        return render(request, "content/console/promotion_edit.html", _context(request, form=form, promotion=instance))
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
                  _context(request, form=form, promotion=instance, error=error), status=400)


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
    return render(request, "content/console/proof_of_play.html", _context(request, mall=mall, report=report))
