"""Forms of the department queue, the case's team and the merge. Shapes only: the rules are
in queues, collaborators and merging."""
from django import forms
from django.utils.translation import gettext_lazy as _

from server.malls.models import Department, person_name

from .notes import MAX_NOTE_CHARS


class DepartmentQueueForm(forms.Form):
    department = forms.ChoiceField(label=_("Hand to the queue of"), choices=Department.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE_CHARS,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "queue_%s")
        super().__init__(*args, **kwargs)


class CollaboratorForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Add to the team"), queryset=None)

    def __init__(self, *args, candidates=None, **kwargs):
        kwargs.setdefault("auto_id", "team_%s")
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = person_name


class MergeForm(forms.Form):
    reference = forms.CharField(label=_("Reference of the case that carries on"), max_length=20)
    note = forms.CharField(label=_("Note to the visitor"), required=False, max_length=MAX_NOTE_CHARS,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "merge_%s")
        super().__init__(*args, **kwargs)
