"""Console forms: shapes only; the lost-property rules are in intake, claims, flows and the like."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CATEGORY_CHOICES, COLOUR_CHOICES, DisposalAction, IdKind

BLANK = [("", "—")]


class _PlaceMixin:
    def set_places(self, floors: list[tuple[str, str]], stores: list[tuple[str, str]]) -> None:
        self.fields["level_id"].choices = BLANK + floors
        self.fields["store_id"].choices = BLANK + stores


class FoundItemForm(_PlaceMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES)
    colour = forms.ChoiceField(label=_("Colour"), choices=BLANK + COLOUR_CHOICES, required=False)
    brand = forms.CharField(label=_("Brand"), max_length=60, required=False)
    description = forms.CharField(label=_("Features"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    hidden_details = forms.CharField(
        label=_("Hidden details (staff only)"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What only the owner would know: contents, wallpaper, engraving. Ask; never read out."))
    found_at = forms.DateTimeField(label=_("Found at"), initial=timezone.now,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    level_id = forms.ChoiceField(label=_("Floor"), required=False)
    store_id = forms.ChoiceField(label=_("Store"), required=False)
    place = forms.CharField(label=_("Where exactly"), max_length=200, required=False)
    storage_place = forms.CharField(label=_("Storage place"), max_length=100)


class LostReportForm(_PlaceMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES)
    colour = forms.ChoiceField(label=_("Colour"), choices=BLANK + COLOUR_CHOICES, required=False)
    brand = forms.CharField(label=_("Brand"), max_length=60, required=False)
    description = forms.CharField(label=_("Description"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    lost_at = forms.DateTimeField(label=_("Lost at (roughly)"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    level_id = forms.ChoiceField(label=_("Floor"), required=False)
    store_id = forms.ChoiceField(label=_("Store"), required=False)
    contact_name = forms.CharField(label=_("Visitor's surname"), max_length=40)
    contact_phone = forms.CharField(label=_("Visitor's phone"), max_length=20,
                                    help_text=_("The desk calls this number when the item turns up."))


class AnnounceForm(forms.Form):
    levels = forms.MultipleChoiceField(label=_("Kiosks on these floors (none ticked: every kiosk)"),
                                       required=False, widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(label=_("For how many days"), min_value=1, max_value=7, initial=3)

    def set_floors(self, floors: list[tuple[str, str]]) -> None:
        self.fields["levels"].choices = floors


class ReceiveForm(forms.Form):
    storage_place = forms.CharField(label=_("Storage place"), max_length=100)
    hidden_details = forms.CharField(label=_("Hidden details (staff only)"), max_length=1000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))


class StorageForm(forms.Form):
    storage_place = forms.CharField(label=_("Storage place"), max_length=100, required=False)
    hidden_details = forms.CharField(label=_("Hidden details (staff only)"), max_length=1000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo of the item"))


class ClaimForm(forms.Form):
    claimant_name = forms.CharField(label=_("Claimant's name"), max_length=100)
    claimant_phone = forms.CharField(label=_("Claimant's phone (optional)"), max_length=20, required=False)
    questions = forms.CharField(label=_("Questions asked about the hidden details"), max_length=1000,
                                widget=forms.Textarea(attrs={"rows": 2}))
    answers = forms.CharField(label=_("The claimant's answers"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    answers_match = forms.BooleanField(label=_("The answers match the hidden details"), required=False)
    id_kind = forms.ChoiceField(label=_("Identity document seen"), choices=IdKind.choices)
    id_last_digits = forms.CharField(
        label=_("Last 4 characters of its number"), min_length=4, max_length=4,
        help_text=_("Do not photograph or copy the document."))


class HandOverForm(forms.Form):
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    staff_confirmed = forms.BooleanField(
        label=_("The claimant cannot sign: I confirm the hand-over as staff"), required=False)


class DisposalForm(forms.Form):
    action = forms.ChoiceField(label=_("What happened to it"), choices=DisposalAction.choices)
    recipient = forms.CharField(label=_("Handed to"), max_length=150, required=False,
                                help_text=_("Police station or charity, with a receipt number if any."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
