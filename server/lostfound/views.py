"""The lost-property console: thin views over services and access."""
from __future__ import annotations

import functools
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST, require_safe

from server.cases.access import can_handle_cases
from server.cases.presentation import mall_name, qr_svg
from server.cases.tracking import tracking_url
from server.content.models import Level, Store
from server.core.console import page_context, staff_page
from server.core.uploads import ImageRefused, read_upload
from server.malls.boundary import working_mall
from sync.protocol import ITEM_DETAIL_PLACE_NOTE
from venue.languages import DEFAULT, FIELD_SUFFIX_OF_PAGE

from .access import can_work_items, items_visible_to, may_approve_disposal, reports_visible_to
from .announcements import announce, compose
from .claims import hand_over, start_claim
from .errors import LostPropertyError
from .figures import office_figures
from .flows import CLAIMABLE_ITEM_STATUSES, allowed_moves
from .forms import (
    AnnounceForm,
    ClaimForm,
    DisposalForm,
    FoundItemForm,
    HandOverForm,
    LostReportForm,
    PhotoForm,
    ReceiveForm,
    StorageForm,
)
from .intake import (
    MAX_PHOTO_BYTES,
    add_photo,
    receive_handed_in,
    register_found_item,
    take_desk_lost_report,
    update_storage,
)
from .models import CATEGORY_CHOICES, Claim, Disposal, DisposalApproval, ItemStatus, ReportStatus
from .retention import approve_disposal, dispose, request_disposal
from .rules import NO_PHOTO_CATEGORIES, RETENTION, allowed_disposals, needs_manager_signoff
from .suggestions import (
    confirm_match,
    reject_match,
    rematch_report,
    search_register,
    suggest_item,
    suggestions_for_item,
    suggestions_for_report,
)

ROWS_PER_PAGE = 30


console_view = staff_page(can_handle_cases, "lostfound/forbidden.html")


def _forbidden(request):
    return render(request, "lostfound/forbidden.html", page_context(request), status=403)


def _places(mall, language: str) -> tuple[list, list]:
    suffix = FIELD_SUFFIX_OF_PAGE.get(language, DEFAULT.field_suffix)
    floors = list(Level.objects.filter(mall=mall).order_by("ordinal").values_list("content_id", "short_name"))
    stores = [(row.content_id, f"{getattr(row, f'name_{suffix}', '') or row.name_zh_cn} · {row.unit}")
              for row in Store.objects.filter(mall=mall).order_by("unit", "content_id")]
    return floors, stores


def _place_names(mall, language: str) -> tuple[dict, dict]:
    floors, stores = _places(mall, language)
    return dict(floors), dict(stores)


# ---------------------------------------------------------------- found items
@require_safe
@console_view
def item_list(request):
    items = items_visible_to(request.user).select_related("mall")
    status = request.GET.get("status", "")
    if status in ItemStatus.values:
        items = items.filter(status=status)
    else:
        status = ""
        items = items.exclude(status__in=[ItemStatus.RETURNED, ItemStatus.DISPOSED])
    category = request.GET.get("category", "")
    if category in dict(CATEGORY_CHOICES):
        items = items.filter(category=category)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        items = items.filter(Q(number__icontains=query) | Q(description__icontains=query)
                             | Q(brand__icontains=query) | Q(storage_place__icontains=query))
    page = Paginator(items.order_by("-registered_at", "-id"), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "lostfound/item_list.html", page_context(
        request, page=page, status=status, category=category, query=query,
        statuses=ItemStatus.choices, categories=CATEGORY_CHOICES, can_work=can_work_items(request.user)))


@console_view
def item_create(request):
    if not can_work_items(request.user):
        return _forbidden(request)
    mall = working_mall(request)
    if mall is None:
        return _forbidden(request)
    floors, stores = _places(mall, request.page_language)
    form = FoundItemForm(request.POST or None)
    form.set_places(floors, stores)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            item = register_found_item(mall, request.user, **form.cleaned_data)
        except LostPropertyError as exc:
            error = exc.message
        else:
            return redirect("lostfound:item_detail", item_id=item.pk)
    return render(request, "lostfound/item_form.html", page_context(request, form=form, error=error),
                  status=400 if request.method == "POST" else 200)


def _visible_item(request, item_id: int):
    return get_object_or_404(items_visible_to(request.user).select_related("mall", "case"), pk=item_id)


def _wording(item):
    """The announcement as it would go out, or why it cannot (None, message)."""
    try:
        return compose(item), ""
    except LostPropertyError as exc:
        return None, exc.message


def _item_page(request, item, *, error: str = "", status: int = 200, **forms):
    floors, stores = _place_names(item.mall, request.page_language)
    disposal = Disposal.objects.filter(item=item).first()
    claimable = item.status in CLAIMABLE_ITEM_STATUSES
    announce_form = forms.get("announce_form") or AnnounceForm(
        initial={"levels": [item.level_id] if item.level_id in floors else []})
    announce_form.set_floors(list(floors.items()))
    wording, wording_refused = _wording(item) if claimable else (None, "")
    return render(request, "lostfound/item_detail.html", page_context(
        request, item=item, error=error,
        floor=floors.get(item.level_id, item.level_id), store=stores.get(item.store_id, item.store_id),
        photos=item.photos.values_list("pk", flat=True),
        photos_allowed=item.category not in NO_PHOTO_CATEGORIES,
        suggestions=suggestions_for_item(item),
        claims=item.claims.select_related("report"),
        disposal=disposal,
        can_work=can_work_items(request.user),
        claimable=claimable,
        disposable=ItemStatus.DISPOSED in allowed_moves(item),
        needs_signoff=needs_manager_signoff(item),
        may_approve=may_approve_disposal(request.user, item.mall_id),
        disposal_request=DisposalApproval.objects.filter(item=item).first(),
        announcements=item.announcements.select_related("broadcast"),
        announce_form=announce_form, wording=wording, wording_refused=wording_refused,
        receive_form=forms.get("receive_form") or ReceiveForm(),
        storage_form=forms.get("storage_form") or StorageForm(
            initial={"storage_place": item.storage_place, "hidden_details": item.hidden_details}),
        photo_form=forms.get("photo_form") or PhotoForm(),
        disposal_form=forms.get("disposal_form") or DisposalForm(
            initial={"action": allowed_disposals(item)[0]}),
        allowed_disposals=[str(a.label) for a in allowed_disposals(item)],
    ), status=status)


@require_safe
@console_view
def item_detail(request, item_id: int):
    return _item_page(request, _visible_item(request, item_id))


def _item_post(form_class, form_name: str):
    """A POST on an item: check the permission and the form, run `action`, back to the item."""

    def decorate(action):
        @functools.wraps(action)
        @require_POST
        @csrf_protect
        @console_view
        def wrapped(request, item_id: int):
            item = _visible_item(request, item_id)
            if not can_work_items(request.user):
                return _forbidden(request)
            form = form_class(request.POST, request.FILES)
            if not form.is_valid():
                return _item_page(request, item, status=400, **{form_name: form})
            try:
                action(request, item, form.cleaned_data)
            except LostPropertyError as exc:
                return _item_page(request, item, error=exc.message, status=409, **{form_name: form})
            return redirect("lostfound:item_detail", item_id=item.pk)

        return wrapped

    return decorate


@_item_post(ReceiveForm, "receive_form")
def item_receive(request, item, data):
    receive_handed_in(item, request.user, **data)


@_item_post(StorageForm, "storage_form")
def item_storage(request, item, data):
    update_storage(item, request.user, **data)


@_item_post(PhotoForm, "photo_form")
def item_photo_add(request, item, data):
    try:
        photo = read_upload(data["photo"], MAX_PHOTO_BYTES)
    except ImageRefused as refused:
        raise LostPropertyError(refused.message, f"photo_{refused.code}") from None
    add_photo(item, photo)


@_item_post(DisposalForm, "disposal_form")
def item_dispose(request, item, data):
    dispose(item, request.user, **data)


@_item_post(DisposalForm, "disposal_form")
def item_disposal_request(request, item, data):
    request_disposal(item, request.user, **data)


@require_POST
@csrf_protect
@console_view
def item_disposal_approve(request, item_id: int):
    """The manager approves the disposal an agent requested; it is carried out and logged."""
    item = _visible_item(request, item_id)
    try:
        approve_disposal(item, request.user)
    except LostPropertyError as exc:
        return _item_page(request, item, error=exc.message, status=403 if exc.code == "not_manager" else 409)
    return redirect("lostfound:item_detail", item_id=item.pk)


@require_POST
@csrf_protect
@console_view
def item_announce(request, item_id: int):
    item = _visible_item(request, item_id)
    if not can_work_items(request.user):
        return _forbidden(request)
    form = AnnounceForm(request.POST)
    form.set_floors(_places(item.mall, request.page_language)[0])
    if not form.is_valid():
        return _item_page(request, item, status=400, announce_form=form)
    try:
        announce(item, request.user, level_ids=form.cleaned_data["levels"], days=form.cleaned_data["days"])
    except LostPropertyError as exc:
        return _item_page(request, item, error=exc.message, status=409, announce_form=form)
    return redirect(reverse("lostfound:item_detail", args=[item.pk]) + "#announcements-heading")


@require_safe
@console_view
def item_photo(request, item_id: int, photo_id: int):
    item = _visible_item(request, item_id)
    photo = get_object_or_404(item.photos, pk=photo_id)
    response = HttpResponse(bytes(photo.jpeg), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
@console_view
def item_label(request, item_id: int):
    """A label to print and tie to the bag: number, category, dates, and a QR code that opens
    the item in the console (staff sign-in needed). No description: labels are seen by anyone."""
    item = _visible_item(request, item_id)
    scan_url = request.build_absolute_uri(reverse("lostfound:label_scan", args=[item.label_token]))
    with timezone.override(item.mall.zone):
        return render(request, "lostfound/label.html", page_context(request, item=item, qr=qr_svg(scan_url)))


@require_safe
@console_view
def label_scan(request, token: str):
    item = get_object_or_404(items_visible_to(request.user), label_token=token)
    return redirect("lostfound:item_detail", item_id=item.pk)


# ---------------------------------------------------------------- lost reports
@require_safe
@console_view
def report_list(request):
    reports = reports_visible_to(request.user).select_related("case")
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        reports = reports.filter(status=status)
    else:
        status = ""
    page = Paginator(reports.order_by("-created_at", "-id"), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "lostfound/report_list.html", page_context(
        request, page=page, status=status, statuses=ReportStatus.choices, can_work=can_work_items(request.user)))


@console_view
def report_create(request):
    if not can_work_items(request.user):
        return _forbidden(request)
    mall = working_mall(request)
    if mall is None:
        return _forbidden(request)
    floors, stores = _places(mall, request.page_language)
    form = LostReportForm(request.POST or None)
    form.set_places(floors, stores)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            report, token = take_desk_lost_report(mall, request.user, **form.cleaned_data)
        except LostPropertyError as exc:
            error = exc.message
        else:
            url = tracking_url(token)
            return render(request, "lostfound/report_ticket.html", page_context(
                request, report=report, tracking_url=url, qr=qr_svg(url),
                mall_name=mall_name(mall, request.page_language)))
    return render(request, "lostfound/report_form.html", page_context(request, form=form, error=error),
                  status=400 if request.method == "POST" else 200)


def _visible_report(request, report_id: int):
    return get_object_or_404(reports_visible_to(request.user).select_related("mall", "case"), pk=report_id)


@require_safe
@console_view
def report_detail(request, report_id: int):
    return _report_page(request, _visible_report(request, report_id))


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _register_search(request, report) -> dict:
    """The staff's own search of the register for this report: category, found between two
    days, floor; then ranked by similarity. Runs only when they asked (?search=1)."""
    query = request.GET
    category = query.get("category", "")
    if category not in dict(CATEGORY_CHOICES):
        category = report.category
    found_from, found_to = _parse_day(query.get("from", "")), _parse_day(query.get("to", ""))
    level_id = query.get("floor", "")[:64]
    if found_from is None and not query.get("search"):
        found_from = timezone.localdate(report.lost_at or report.created_at) - timedelta(days=1)
    search = {"category": category, "found_from": found_from, "found_to": found_to, "level_id": level_id,
              "asked": bool(query.get("search")), "results": []}
    if search["asked"]:
        search["results"] = search_register(report, category=category, found_from=found_from,
                                            found_to=found_to, level_id=level_id)
    return search


def _report_page(request, report, *, error: str = "", status: int = 200):
    floors, stores = _place_names(report.mall, request.page_language)
    suggestions = suggestions_for_report(report)
    return render(request, "lostfound/report_detail.html", page_context(
        request, report=report, error=error,
        floor=floors.get(report.level_id, report.level_id), store=stores.get(report.store_id, report.store_id),
        place=(report.case.details or {}).get(ITEM_DETAIL_PLACE_NOTE, "") if report.case else "",
        suggestions=suggestions, can_work=can_work_items(request.user),
        floors=floors, stores=stores, floor_choices=sorted(floors.items()), categories=CATEGORY_CHOICES,
        search=_register_search(request, report), suggested_ids={s.item_id for s in suggestions},
    ), status=status)


@require_POST
@csrf_protect
@console_view
def report_suggest(request, report_id: int):
    """Staff put an item found by their own search among the suggestions."""
    report = _visible_report(request, report_id)
    if not can_work_items(request.user):
        return _forbidden(request)
    item_id = request.POST.get("item", "")
    item = get_object_or_404(items_visible_to(request.user), pk=int(item_id)) if item_id.isdigit() else None
    if item is None:
        return _report_page(request, report, error=str(_("Choose an item.")), status=400)
    try:
        suggest_item(report, item, request.user)
    except LostPropertyError as exc:
        return _report_page(request, report, error=exc.message, status=409)
    return redirect("lostfound:report_detail", report_id=report.pk)


@require_POST
@csrf_protect
@console_view
def suggestion_decide(request, report_id: int, suggestion_id: int):
    report = _visible_report(request, report_id)
    if not can_work_items(request.user):
        return _forbidden(request)
    suggestion = get_object_or_404(report.suggestions, pk=suggestion_id)
    try:
        if request.POST.get("decision") == "confirm":
            confirm_match(suggestion, request.user)
        elif request.POST.get("decision") == "reject":
            reject_match(suggestion, request.user)
    except LostPropertyError as exc:
        return _report_page(request, report, error=exc.message, status=409)
    return redirect("lostfound:report_detail", report_id=report.pk)


@require_POST
@csrf_protect
@console_view
def report_rematch(request, report_id: int):
    report = _visible_report(request, report_id)
    if not can_work_items(request.user):
        return _forbidden(request)
    rematch_report(report)
    return redirect("lostfound:report_detail", report_id=report.pk)


# ---------------------------------------------------------------- claims and hand-over
@console_view
def claim_new(request, item_id: int):
    """Staff only: the hidden details are on this page. The claimant signs on the next one."""
    item = _visible_item(request, item_id)
    if not can_work_items(request.user):
        return _forbidden(request)
    report = None
    report_id = request.GET.get("report") or request.POST.get("report") or ""
    if report_id.isdigit():
        report = reports_visible_to(request.user).filter(pk=int(report_id)).first()
    form = ClaimForm(request.POST or None, initial={"claimant_name": report.contact_name} if report else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            claim = start_claim(item, request.user, report=report, **form.cleaned_data)
        except LostPropertyError as exc:
            error = exc.message
        else:
            return redirect("lostfound:claim_handover", claim_id=claim.pk)
    return render(request, "lostfound/claim_form.html", page_context(
        request, item=item, report=report, form=form, error=error,
        claimable=item.status in CLAIMABLE_ITEM_STATUSES,
    ), status=400 if request.method == "POST" else 200)


def _visible_claim(request, claim_id: int) -> Claim:
    return get_object_or_404(Claim.objects.select_related("item", "report__case").filter(
        item__in=items_visible_to(request.user)), pk=claim_id)


@console_view
def claim_handover(request, claim_id: int):
    """The page turned towards the claimant: the item's number and category, the statement they
    sign, a signature box. Nothing describing the item."""
    claim = _visible_claim(request, claim_id)
    if not can_work_items(request.user):
        return _forbidden(request)
    form = HandOverForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            hand_over(claim, request.user, signature_data_url=form.cleaned_data["signature"],
                               staff_confirmed=form.cleaned_data["staff_confirmed"])
        except LostPropertyError as exc:
            error = exc.message
        else:
            return redirect("lostfound:claim_handover", claim_id=claim.pk)
    return render(request, "lostfound/handover.html", page_context(
        request, claim=claim, item=claim.item, form=form, error=error,
    ), status=409 if error else 200)


@require_safe
@console_view
def claim_signature(request, claim_id: int):
    claim = _visible_claim(request, claim_id)
    if not claim.signature_png:
        return HttpResponse(status=404)
    return HttpResponse(bytes(claim.signature_png), content_type="image/png")


# ---------------------------------------------------------------- retention and figures
@require_safe
@console_view
def retention(request):
    items = items_visible_to(request.user)
    due = items.filter(status=ItemStatus.DUE).order_by("keep_until", "id")
    prompt = items.filter(status=ItemStatus.STORED, category__in=NO_PHOTO_CATEGORIES).order_by(
        "registered_at", "id")
    log = Disposal.objects.filter(item__in=items).select_related("item").order_by("-at", "-id")[:200]
    awaiting_approval = DisposalApproval.objects.filter(
        item__in=items.filter(status__in=CLAIMABLE_ITEM_STATUSES), approved_at__isnull=True,
    ).select_related("item").order_by("requested_at", "id")
    rules = [(label, RETENTION[category].days,
              [str(action.label) for action in RETENTION[category].actions])
             for category, label in CATEGORY_CHOICES]
    return render(request, "lostfound/retention.html",
                  page_context(request, due=due, prompt=prompt, log=log, rules=rules,
                               awaiting_approval=awaiting_approval))


def _month_bounds(text: str) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in text.split("-"))
        start = date(year, month, 1)
    except (ValueError, TypeError):
        start = today.replace(day=1)
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, following - timedelta(days=1)


@require_safe
@console_view
def figures(request):
    start, end = _month_bounds(request.GET.get("month", ""))
    result = office_figures(items_visible_to(request.user), reports_visible_to(request.user), start, end)
    labels = dict(CATEGORY_CHOICES)
    rows = [(labels[row.category], row) for row in result.by_category]
    return render(request, "lostfound/figures.html", page_context(
        request, figures=result, rows=rows, month=f"{start:%Y-%m}",
        title=_("Lost property figures")))
