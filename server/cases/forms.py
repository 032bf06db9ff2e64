"""Console forms. They only check shapes; the case rules live in flows, intake and the like."""
from django import forms
from django.utils.translation import gettext_lazy as _

from server.malls.models import Department, person_name
from sync.protocol import CaseStatus

from .models import CATEGORY_LABELS, KIND_LABELS, STATUS_LABELS, Priority, RootCause, Source, Visibility
from .notes import MAX_NOTE_CHARS


class TransitionForm(forms.Form):
    # Every status is a valid choice here: whether the move is allowed is flows.transition's
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
    root_cause = forms.ChoiceField(label=_("Root cause (when resolving)"), required=False,
                                   choices=[("", "—"), *RootCause.choices])
    root_cause_note = forms.CharField(label=_("Root cause in words"), required=False, max_length=MAX_NOTE_CHARS,
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def resolution_changes(self) -> dict:
        """The root cause, stored with the move when it resolves the case."""
        if self.cleaned_data["to_status"] != CaseStatus.RESOLVED.value:
            return {}
        return {"root_cause": self.cleaned_data["root_cause"],
                "root_cause_note": self.cleaned_data["root_cause_note"].strip()}

    def __init__(self, *args, allowed: list[CaseStatus] = (), current: str = "", **kwargs):
        kwargs.setdefault("auto_id", "status_%s")  # several forms share a page: keep ids apart
        super().__init__(*args, **kwargs)
        # Moving on first; reopening (back to in progress from resolved) last and named as such,
        # and the list starts on "choose", so no move is ever the default.
        reopening = current in (CaseStatus.RESOLVED.value, CaseStatus.FOLLOWED_UP.value)
        onward = [(s.value, STATUS_LABELS[s]) for s in allowed
                  if not (reopening and s == CaseStatus.IN_PROGRESS)]
        back = [(CaseStatus.IN_PROGRESS.value, _("Reopen: back to in progress"))
                for s in allowed if reopening and s == CaseStatus.IN_PROGRESS]
        self.allowed = onward + back


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


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), coerce=int, choices=Priority.choices)
    note = forms.CharField(label=_("Why (optional)"), required=False, max_length=MAX_NOTE_CHARS)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "priority_%s")
        super().__init__(*args, **kwargs)


class EscalateForm(forms.Form):
    reason = forms.CharField(label=_("Why the manager should take it now"), max_length=MAX_NOTE_CHARS,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "escalate_%s")
        super().__init__(*args, **kwargs)


class DeadlineWindowForm(forms.Form):
    """The SLA view's window, in working hours."""

    hours = forms.IntegerField(label=_("Due within (working hours)"), min_value=1, max_value=72,
                               initial=4)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "sla_%s")
        super().__init__(*args, **kwargs)


class InboxFilterForm(forms.Form):
    """The inbox's filters, read from the query string; a bad value is dropped, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Any kind"))] + [(k.value, label) for k, label in KIND_LABELS.items()])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("Any category"))]
                                 + [(c.value, label) for c, label in CATEGORY_LABELS.items()])
    department = forms.ChoiceField(label=_("Department"), required=False,
                                   choices=[("", _("Any department"))] + list(Department.choices))
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    floor = forms.ChoiceField(label=_("Floor"), required=False)
    store = forms.ChoiceField(label=_("Store"), required=False)
    received_from = forms.DateField(label=_("Received from"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label=_("Received until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    callback_due = forms.BooleanField(label=_("Call-back due"), required=False)
    escalated = forms.BooleanField(label=_("Escalated"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=[
        ("", _("Newest first")), ("priority", _("Most urgent first")), ("due", _("Soonest deadline first"))])

    def __init__(self, *args, owners=(), floors=(), stores=(), **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), ("open", _("Open"))] + [
            (s.value, label) for s, label in STATUS_LABELS.items()]
        self.fields["owner"].choices = [("", _("Anyone")), ("none", _("Nobody yet"))] + [
            (str(user.pk), person_name(user)) for user in owners]
        self.fields["floor"].choices = [("", _("Any floor"))] + list(floors)
        self.fields["store"].choices = [("", _("Any store"))] + list(stores)

    def filters(self):
        """The inbox's InboxFilters from whatever fields are valid."""
        from .inbox import InboxFilters

        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return InboxFilters(
            status=data.get("status") or "", kind=data.get("kind") or "",
            category=data.get("category") or "", department=data.get("department") or "",
            owner=data.get("owner") or None, overdue=bool(data.get("overdue")),
            callback_due=bool(data.get("callback_due")), escalated=bool(data.get("escalated")),
            floor=data.get("floor") or "", store=data.get("store") or "",
            received_from=data.get("received_from"), received_to=data.get("received_to"),
            search=data.get("q") or "", sort=data.get("sort") or "",
        )


LANGUAGE_CHOICES = [("zh_CN", "简体中文"), ("en", "English"), ("zh_TW", "繁體中文")]


class RegisterCaseForm(forms.Form):
    """The reception log (物业接待记录) as a form: who, how to reach them, when and where it
    happened, who is involved, what they say and what they ask for; and, for a matter settled on
    the spot, the answer given (the "resolved on the spot" button)."""

    source = forms.ChoiceField(label=_("Came in by"), choices=[
        (Source.DESK.value, Source.DESK.label), (Source.PHONE.value, Source.PHONE.label)],
        widget=forms.RadioSelect, initial=Source.DESK.value)
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, label) for k, label in KIND_LABELS.items()])
    category = forms.ChoiceField(label=_("Category (complaints)"), required=False,
                                 choices=[("", "—")] + [(c.value, label) for c, label in CATEGORY_LABELS.items()])
    visitor_surname = forms.CharField(label=_("Visitor's surname"), required=False, max_length=20)
    contact_phone = forms.CharField(label=_("Phone (optional)"), required=False, max_length=20)
    contact_consent = forms.BooleanField(label=_("The visitor agrees to be contacted"), required=False)
    occurred_at = forms.DateTimeField(
        label=_("When it happened"), required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    level_id = forms.ChoiceField(label=_("Floor"), required=False)
    store_id = forms.ChoiceField(label=_("Store"), required=False)
    people_involved = forms.CharField(label=_("People or store involved"), required=False, max_length=200)
    description = forms.CharField(label=_("What the visitor told us"), max_length=MAX_NOTE_CHARS,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    visitor_request = forms.CharField(label=_("What the visitor asks for (客户诉求)"), required=False,
                                      max_length=MAX_NOTE_CHARS, widget=forms.Textarea(attrs={"rows": 2}))
    language = forms.ChoiceField(label=_("Visitor's language"), choices=LANGUAGE_CHOICES)
    answer = forms.CharField(label=_("Answer given on the spot"), required=False, max_length=MAX_NOTE_CHARS,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("For a question answered at once: the visitor reads it on the ticket's page."))

    RECORD_FIELDS = ("visitor_surname", "contact_phone", "occurred_at", "level_id", "store_id",
                     "people_involved", "description", "visitor_request")

    def __init__(self, *args, stores=(), floors=(), **kwargs):
        kwargs.setdefault("auto_id", "new_%s")
        super().__init__(*args, **kwargs)
        self.fields["store_id"].choices = [("", "—")] + list(stores)
        self.fields["level_id"].choices = [("", "—")] + list(floors)

    def clean(self):
        data = super().clean()
        resolve = bool(self.data.get("resolve"))
        if resolve and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Write the answer you gave, to register the case as resolved on the spot."))
        if not resolve and (data.get("answer") or "").strip():
            self.add_error("answer", _("You wrote an answer: press “Resolved on the spot”, or clear it."))
        return data


class CallbackForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=_("Did you reach the visitor?"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("Yes")), ("no", _("No answer"))], initial="yes")
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"), required=False, coerce=int, empty_value=None,
        choices=[("", "—")] + [(str(n), f"{n} / 5") for n in range(5, 0, -1)])
    outcome = forms.CharField(label=_("What the visitor said"), required=False, max_length=MAX_NOTE_CHARS,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "callback_%s")
        super().__init__(*args, **kwargs)


class CannedReplyForm(forms.Form):
    reply = forms.ModelChoiceField(label=_("Canned reply"), queryset=None)

    def __init__(self, *args, replies=None, **kwargs):
        kwargs.setdefault("auto_id", "canned_%s")
        super().__init__(*args, **kwargs)
        self.fields["reply"].queryset = replies


class AttachmentForm(forms.Form):
    photo = forms.FileField(label=_("Photo"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "photo_%s")
        super().__init__(*args, **kwargs)


class VisitorReplyForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), max_length=MAX_NOTE_CHARS,
                           widget=forms.Textarea(attrs={"rows": 4}))


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(str(n), str(n)) for n in range(5, 0, -1)])
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
