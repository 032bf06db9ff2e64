"""The phone store page: server-rendered, no JavaScript, no third-party assets (it opens in the
in-app browsers of WeChat and Alipay). Its words are the kiosk's own catalogs, so the phone
reads what the kiosk showed."""
from __future__ import annotations

from babel.dates import format_date
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from server.core.language import in_page_language
from server.directory.services import published_store
from sync.protocol import BLOB_PATH
from venue.hours import describe_hours, open_status
from venue.i18n import load_translations
from venue.languages import BABEL_LOCALES, kiosk_code


@require_http_methods(["GET", "HEAD"])
@in_page_language()
def store_page(request, mall_id: str, store_id: str):
    language = kiosk_code(request.page_language)
    tr = load_translations(language).gettext
    context = {"language_links": request.page_language_links, "html_lang": request.page_html_lang}
    found = published_store(mall_id, store_id, timezone.now())
    if found is None:
        context.update(title=tr("This store is not in the directory"),
                       message=tr("It may have moved or closed. Please ask at the service desk."))
        return render(request, "directory/store_missing.html", context, status=404)
    index, store = found.index, found.store
    level = index.level(store.level_id)
    category = index.category(store.category_id)
    is_open, status = open_status(index, store, timezone.now(), language, tr)
    pattern = "d MMM" if language == "en" else "M月d日"
    others = [name for name in dict.fromkeys((store.name.zh_CN, store.name.en, store.name.zh_TW))
              if name and name != store.name.get(language)]
    context.update(
        mall_name=index.mall.name.get(language),
        title=store.name.get(language),
        other_names=" · ".join(others),
        category=category.name.get(language) if category else "",
        is_open=is_open,
        status=status,
        rows=[
            (tr("Where"), tr("Unit {unit}").format(unit=store.unit)
             + (f" · {level.name.get(language) or level.short_name}" if level else "")),
            (tr("Hours"), describe_hours(index.hours_of(store), language, tr)),
        ],
        phone=store.phone,
        phone_label=tr("Phone"),
        description=store.description.get(language) if store.description else "",
        offers_label=tr("Offers"),
        offers=[tr("{title} (until {day})").format(
            title=p.title.get(language),
            day=format_date(p.ends_on, pattern, locale=BABEL_LOCALES[language])) for p in found.promotions],
        logo_url=BLOB_PATH.format(sha256=store.logo_sha256) if store.logo_sha256 else "",
        route=_route_from_kiosk(request, index, mall_id, store, language, tr),
    )
    return render(request, "directory/store.html", context)


def _route_from_kiosk(request, index, mall_id: str, store, language: str, tr) -> dict | None:
    """The kiosk puts its own point in the QR code (?from=lobby-1f): the phone can then open the
    route from where the visitor stood. An unknown point shows no link."""
    origin = request.GET.get("from", "")
    if not any(point.id == origin for point in index.content.kiosks):
        return None
    href = reverse("wayfinding:route", args=[mall_id, origin, store.id]) + f"?lang={request.page_language}"
    return {"href": href, "label": tr("Show the way to {place}").format(place=store.name.get(language))}
