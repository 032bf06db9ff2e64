"""Console forms: shapes only; the ledgers' rules are in luggage, incidents, handovers and the like."""
from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .luggage import MAX_PIECES
from .models import IncidentKind

BLANK = [("", "—")]
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
PHONE = RegexValidator(r"^\+?[0-9][0-9 -]{4,19}$", _("Enter a phone number: digits, spaces or dashes."))


def _moment(label):
    return forms.DateTimeField(label=label, input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M"],
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE))


def _text(label, max_length: int, *, rows: int = 0, required: bool = True, help_text: str = ""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget, help_text=help_text)


class CheckInForm(forms.Form):
    description = _text(_("What was left"), 200, help_text=_("e.g. black suitcase, two paper shopping bags"))
    pieces = forms.IntegerField(label=_("Pieces"), min_value=1, max_value=MAX_PIECES, initial=1)
    storage_place = _text(_("Storage place"), 60, required=False, help_text=_("Shelf or locker, e.g. shelf B2."))
    surname = _text(_("Visitor's surname"), 40)
    phone = forms.CharField(label=_("Visitor's phone"), max_length=20, validators=[PHONE])


class PickUpForm(forms.Form):
    ticket = forms.CharField(label=_("Claim ticket number or scanned QR code"), max_length=300)


class FirstAidForm(forms.Form):
    used_at = _moment(_("Used at"))
    supplies = _text(_("What was used"), 300, help_text=_("e.g. 2 plasters, iodine swab"))
    used_for = _text(_("For whom"), 200, help_text=_("Who was helped and why, e.g. a child with a grazed knee."))
    given_by = _text(_("Given by"), 150)
    incident = forms.ModelChoiceField(label=_("Incident"), queryset=None, required=False)

    def __init__(self, *args, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = incidents
        self.fields["incident"].empty_label = "—"
        self.fields["incident"].label_from_instance = lambda row: (
            f"{row.number} · {row.get_kind_display()} · {row.what[:40]}")


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    occurred_at = _moment(_("Occurred at"))
    what = _text(_("What happened"), 2000, rows=3)
    level_id = forms.ChoiceField(label=_("Floor"), required=False)
    store_id = forms.ChoiceField(label=_("Store"), required=False)
    place = _text(_("Where exactly"), 200, required=False)
    helpers = _text(_("Who helped"), 300, required=False, help_text=_("Staff, security, the store, paramedics…"))
    follow_up = _text(_("Follow-up"), 2000, rows=2, required=False)

    def set_places(self, floors: list[tuple[str, str]], stores: list[tuple[str, str]]) -> None:
        self.fields["level_id"].choices = BLANK + floors
        self.fields["store_id"].choices = BLANK + stores


class IncidentUpdateForm(forms.Form):
    helpers = _text(_("Who helped"), 300, required=False)
    follow_up = _text(_("Follow-up"), 2000, rows=3, required=False)
    report = _text(_("Incident report"), 4000, rows=6, required=False,
                   help_text=_("What happened, what was done, who was told, what to change."))


class HandoverForm(forms.Form):
    open_matters = _text(_("Open matters"), 4000, rows=4, required=False)
    cases = forms.ModelMultipleChoiceField(label=_("Open cases"), queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    found_items = forms.ModelMultipleChoiceField(label=_("Found items in storage"), queryset=None, required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    luggage = forms.ModelMultipleChoiceField(label=_("Left luggage"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, cases, found_items, luggage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["found_items"].queryset = found_items
        self.fields["luggage"].queryset = luggage
        for name, rows in (("cases", cases), ("found_items", found_items), ("luggage", luggage)):
            self.fields[name].label_from_instance = _label_of
            if not self.is_bound:
                self.initial[name] = [row.pk for row in rows]


def _label_of(row) -> str:
    from server.cases.models import Case
    from server.lostfound.models import FoundItem

    if isinstance(row, Case):
        return f"{row.reference} · {row.get_kind_display()} · {row.description[:60]}"
    if isinstance(row, FoundItem):
        return f"{row.number} · {row.category_label} · {row.storage_place or '—'}"
    return f"{row.ticket} · {row.pieces} × {row.description[:60]} · {row.storage_place or '—'}"


class MeetingForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    attendees = _text(_("Attendees"), 500)
    notes = _text(_("Notes"), 4000, rows=5)
    actions = _text(_("Actions"), 2000, rows=3, required=False, help_text=_("Who does what by when."))
