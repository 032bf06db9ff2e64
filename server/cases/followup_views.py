"""The console's list of open follow-ups (low scores awaiting a better one) and the manager's
close-with-a-note form."""
from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST, require_safe

from server.core.console import page_context, staff_page
from server.malls.boundary import working_mall

from . import followups
from .access import can_handle_cases
from .errors import CaseError
from .notes import MAX_NOTE_CHARS

console_view = staff_page(can_handle_cases, "cases/console/forbidden.html")


class CloseFollowUpForm(forms.Form):
    note = forms.CharField(label=_("What was done (required to close)"), max_length=MAX_NOTE_CHARS,
                           widget=forms.Textarea(attrs={"rows": 2}))


def _page(request, *, failed=None, form=None, error="", status=200):
    rows = list(followups.open_follow_ups_for(request.user)[:200])
    for row in rows:
        row.may_close = followups.can_close_follow_ups(request.user, row.case)
        row.form = form if failed == row.pk else CloseFollowUpForm(auto_id=f"close{row.pk}_%s")
    mall = working_mall(request)
    with timezone.override(mall.zone if mall else None):
        return render(request, "cases/console/follow_ups.html", page_context(
            request, rows=rows, error=error, failed=failed), status=status)


@require_safe
@console_view
def follow_up_list(request):
    return _page(request)


@require_POST
@csrf_protect
@console_view
def follow_up_close(request, follow_up_id: int):
    follow_up = get_object_or_404(followups.open_follow_ups_for(request.user), pk=follow_up_id)
    form = CloseFollowUpForm(request.POST, auto_id=f"close{follow_up.pk}_%s")
    if not form.is_valid():
        return _page(request, failed=follow_up.pk, form=form, status=400)
    try:
        followups.close_by_manager(follow_up, request.user, form.cleaned_data["note"])
    except CaseError as exc:
        return _page(request, failed=follow_up.pk, form=form, error=exc.message, status=403)
    return redirect("cases:follow_ups")
