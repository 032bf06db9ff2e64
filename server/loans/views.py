"""Console pages of the desk's loans: the desk page (what is in, what is out), a new loan, a
return, the overdue list, and the register of lendable things. Thin: rules live in lending."""
from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from server.accounts.services import record_audit
from server.core.console import page_context, staff_page
from server.malls.boundary import working_mall
from venue.languages import kiosk_code

from . import flows, lending
from .access import can_manage_register, can_run_loans, items_visible_to, loans_visible_to
from .errors import LoanError
from .forms import ItemForm, LoanForm, ReturnForm
from .models import ItemState, LendableKind
from .places import lending_places, place_label, published_index

desk_view = staff_page(can_run_loans, "loans/forbidden.html")


def _mall(request):
    mall = working_mall(request)
    if mall is None:
        raise Http404
    return mall


def _language() -> str:
    return kiosk_code(get_language() or "")


def _loan_rows(loans) -> list[dict]:
    now = timezone.now()
    return [{"loan": loan, "phone": lending.masked_phone(loan.phone), "overdue": loan.due_at < now} for loan in loans]


@require_safe
@desk_view
def overview(request):
    mall = _mall(request)
    items = items_visible_to(request.user).filter(mall=mall)
    counted = {row["kind"]: row for row in items.values("kind").annotate(
        available=Count("pk", filter=Q(state=ItemState.AVAILABLE)),
        on_loan=Count("pk", filter=Q(state=ItemState.ON_LOAN)),
        out_of_service=Count("pk", filter=Q(state=ItemState.OUT_OF_SERVICE)))}
    kinds = [{"value": kind.value, "label": kind.label, **counted.get(kind.value, {})} for kind in LendableKind]
    loans = loans_visible_to(request.user).filter(mall=mall)
    done = None
    for key in ("lent", "returned"):
        if request.GET.get(key, "").isdigit():
            found = loans.select_related("item").filter(pk=int(request.GET[key])).first()
            done = {"what": key, "loan": found} if found else None
    return render(request, "loans/overview.html", page_context(
        request, current="desk", kinds=kinds, rows=_loan_rows(lending.open_loans(loans)), done=done,
        return_form=ReturnForm(), can_manage=can_manage_register(request.user),
    ))


def _item_choices(request, mall) -> list[tuple[str, str]]:
    index, language = published_index(mall), _language()
    available = items_visible_to(request.user).filter(mall=mall, state=ItemState.AVAILABLE).order_by("kind", "tag")
    return [(str(item.pk), f"{item.get_kind_display()} {item.tag} · {place_label(index, item.kept_at, language)}")
            for item in available]


@require_http_methods(["GET", "HEAD", "POST"])
@desk_view
def loan_new(request):
    mall = _mall(request)
    choices = _item_choices(request, mall)
    if request.method != "POST":
        initial = {"kind": request.GET.get("kind", "")} if request.GET.get("kind") in LendableKind.values else {}
        return _loan_form(request, LoanForm(initial=initial, items=choices))
    form = LoanForm(request.POST, items=choices)
    if not form.is_valid():
        return _loan_form(request, form, status=400)
    data = form.cleaned_data
    item = None
    if data["item"]:
        item = get_object_or_404(items_visible_to(request.user).filter(mall=mall), pk=int(data["item"]))
    try:
        loan = lending.lend(mall, lending.LoanRequest(
            surname=data["surname"], phone=data["phone"], security=data["security"],
            deposit_yuan=data["deposit_yuan"], item=item, kind=data["kind"], due_at=data["due_at"],
        ), request.user)
    except LoanError as refused:
        if refused.code == "bad_surname":  # perhaps an ID number: not even shown back
            form.data = form.data.copy()
            form.data["surname"] = ""
        form.add_error(None, refused.message)
        return _loan_form(request, form, status=400)
    return redirect(reverse("loans:overview") + f"?lent={loan.pk}")


def _loan_form(request, form: LoanForm, status: int = 200):
    return render(request, "loans/loan_form.html", page_context(request, current="new", form=form), status=status)


@require_POST
@desk_view
def loan_return(request, loan_id: int):
    loan = get_object_or_404(loans_visible_to(request.user).filter(mall=_mall(request)), pk=loan_id)
    form = ReturnForm(request.POST)
    damaged = form.is_valid() and form.cleaned_data["damaged"]
    try:
        lending.return_loan(loan, request.user, damaged=damaged)
    except LoanError as refused:
        return render(request, "loans/refused.html", page_context(request, message=refused.message), status=409)
    return redirect(reverse("loans:overview") + f"?returned={loan.pk}")


@require_safe
@desk_view
def overdue(request):
    """Overdue loans with the borrower's number in full, to call them; who looked is audited."""
    mall = _mall(request)
    late = list(lending.overdue_loans(loans_visible_to(request.user).filter(mall=mall)))
    if late:
        record_audit(request.user, "loans.overdue_contacts_shown", mall=mall, subject=f"{len(late)} loans",
                     detail=" ".join(loan.reference for loan in late))
    return render(request, "loans/overdue.html", page_context(
        request, current="overdue", loans=late, return_form=ReturnForm(), now=timezone.now(),
    ))


@require_http_methods(["GET", "HEAD", "POST"])
@desk_view
def register(request):
    mall = _mall(request)
    places = lending_places(mall, _language())
    form = ItemForm(places=places)
    status = 200
    if request.method == "POST":
        if not can_manage_register(request.user):
            return render(request, "loans/forbidden.html", page_context(request), status=403)
        form = ItemForm(request.POST, places=places)
        if form.is_valid():
            data = form.cleaned_data
            try:
                lending.register_item(mall, kind=data["kind"], tag=data["tag"], kept_at=data["kept_at"],
                                      note=data["note"], actor=request.user)
            except LoanError as refused:
                form.add_error("tag" if refused.code in ("bad_tag", "duplicate_tag") else None, refused.message)
            else:
                return redirect("loans:register")
        status = 400
    index, language = published_index(mall), _language()
    items = [{"item": item, "place": place_label(index, item.kept_at, language),
              "moves": [ItemState(state) for state in flows.allowed_moves(item) if state != ItemState.ON_LOAN]}
             for item in items_visible_to(request.user).filter(mall=mall).order_by("kind", "tag")]
    return render(request, "loans/register.html", page_context(
        request, current="register", form=form, items=items, places=places,
        can_manage=can_manage_register(request.user),
    ), status=status)


@require_POST
@desk_view
def item_state(request, lendable_id: int):
    """Out of service (broken, being cleaned) and back in service; lending goes through a loan."""
    if not can_manage_register(request.user):
        return render(request, "loans/forbidden.html", page_context(request), status=403)
    item = get_object_or_404(items_visible_to(request.user).filter(mall=_mall(request)), pk=lendable_id)
    target = request.POST.get("state", "")
    try:
        if target == ItemState.ON_LOAN:
            raise LoanError(_("Lend it with a loan, so the desk knows who has it."))
        flows.move(item, target, request.user)
    except LoanError as refused:
        return render(request, "loans/refused.html", page_context(request, message=refused.message), status=409)
    return redirect("loans:register")
