"""The console's notification settings: one's own e-mails, and a department's group robot."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DEPARTMENT_TRIGGERS, STAFF_TRIGGERS


def trigger_choices() -> list[tuple[str, str]]:
    return [(trigger.value, trigger.label) for trigger in STAFF_TRIGGERS]


def department_trigger_choices() -> list[tuple[str, str]]:
    return [(trigger.value, trigger.label) for trigger in DEPARTMENT_TRIGGERS]


class StaffPreferenceForm(forms.Form):
    email_triggers = forms.MultipleChoiceField(
        label=_("E-mail me about"), choices=trigger_choices, required=False, widget=forms.CheckboxSelectMultiple)


class DepartmentChannelForm(forms.Form):
    webhook_url = forms.URLField(
        label=_("Group robot address"), required=False, max_length=500, assume_scheme="https",
        help_text=_("The webhook address from the WeCom or DingTalk group's robot settings; empty: no robot."))
    webhook_secret = forms.CharField(label=_("Signing secret"), required=False, max_length=200,
                                     help_text=_("Only for DingTalk robots with 加签; empty otherwise."))
    mailbox = forms.EmailField(label=_("Department mailbox"), required=False,
                               help_text=_("A shared address of the department; empty: none."))
    triggers = forms.MultipleChoiceField(
        label=_("Tell the department about"), choices=department_trigger_choices, required=False,
        widget=forms.CheckboxSelectMultiple)

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Give the robot's web address (https://…)."))
        return url
