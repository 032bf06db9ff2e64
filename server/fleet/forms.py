"""The fleet console's forms: a mall's fleet settings and a command to a kiosk."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from server.malls.models import Department

from .models import FleetSettings

MAX_OFFLINE_MINUTES = 7 * 24 * 60


class FleetSettingsForm(forms.ModelForm):
    offline_after_minutes = forms.IntegerField(
        label=_("Offline alarm after (minutes)"), min_value=0, max_value=MAX_OFFLINE_MINUTES,
        help_text=_("A kiosk silent this long raises an alarm; 0 turns the alarms off."))
    alarm_department = forms.ChoiceField(
        label=_("Department told of alarms"), required=False,
        choices=[("", _("Only the mall's managers")), *Department.choices],
        help_text=_("Its group robot and mailbox (Notifications) hear of offline kiosks, besides the managers."))

    class Meta:
        model = FleetSettings
        fields = ["approval_required", "offline_after_minutes", "alarm_department"]
