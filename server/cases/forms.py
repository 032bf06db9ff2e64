"""Console forms. They only check shapes; the case rules live in services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from sync.protocol import CaseStatus

from .models import STATUS_LABELS, Visibility
from server.accounts.services import person_name
from .services import MAX_NOTE_CHARS


class TransitionForm(forms.Form):
    # Every status is a valid choice here: whether the move is allowed is services.transition's
    # decision, and its refusal is what the agent should read.
    to_status = forms.ChoiceField(
        label=_("New status"), choices=[(s.value, label) for s, label in STATUS_LABELS.items()]
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = forms.ChoiceField(
        label=_("Who sees the note"), choices=Visibility.choices, initial=Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, allowed: list[CaseStatus] = (), **kwargs):
        kwargs.setdefault("auto_id", "status_%s")  # three forms share a page: keep ids apart
        super().__init__(*args, **kwargs)
        self.allowed = [(s.value, STATUS_LABELS[s]) for s in allowed]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=MAX_NOTE_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(
        label=_("Who sees the note"), choices=Visibility.choices, initial=Visibility.INTERNAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)


class HandOverForm(forms.Form):
    new_owner = forms.ModelChoiceField(label=_("Hand over to"), queryset=None)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, handlers=None, **kwargs):
        kwargs.setdefault("auto_id", "owner_%s")
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = handlers
        self.fields["new_owner"].label_from_instance = person_name
