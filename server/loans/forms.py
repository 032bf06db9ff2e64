"""Console forms: shapes only; the rules are in lending and flows."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import LendableKind, Security

BLANK = [("", "—")]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LendableKind.choices)
    tag = forms.CharField(label=_("Tag"), max_length=32, help_text=_("The label on the item, e.g. LY-03."))
    kept_at = forms.ChoiceField(label=_("Lent from"), help_text=_(
        "A place of the published map, so kiosks can say where to ask."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, places: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept_at"].choices = places


class LoanForm(forms.Form):
    item = forms.ChoiceField(label=pgettext_lazy("loans", "Item"), required=False, help_text=_(
        "Leave empty to lend the first available one of the kind."))
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + LendableKind.choices, required=False)
    surname = forms.CharField(label=_("Borrower's surname"), max_length=40)
    phone = forms.CharField(label=_("Contact phone"), max_length=32)
    security = forms.ChoiceField(label=_("Deposit or ID (押金)"), choices=Security.choices, help_text=_(
        "Only the kind: never write down an ID number."))
    deposit_yuan = forms.IntegerField(label=_("Cash deposit (¥)"), required=False, min_value=1, max_value=100_000)
    due_at = forms.DateTimeField(label=_("Due back"), required=False, help_text=_(
        "Empty: the usual time for this kind (closing time today; umbrellas in a week)."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, items: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = BLANK + items

    def clean(self):
        data = super().clean()
        if not data.get("item") and not data.get("kind"):
            raise forms.ValidationError(_("Choose an item, or the kind to lend the first available one."))
        return data


class ReturnForm(forms.Form):
    damaged = forms.BooleanField(label=_("Came back damaged: take it out of service"), required=False)
