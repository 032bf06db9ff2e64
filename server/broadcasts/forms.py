"""The console form for a notice or an emergency. It checks shapes; the rules are in services."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sync.protocol import MAX_BROADCAST_PHOTO_BYTES

from .models import Kind, Reason

PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}

DURATION_CHOICES = [
    (15, _("15 minutes")), (30, _("30 minutes")), (60, _("1 hour")), (120, _("2 hours")),
    (240, _("4 hours")), (480, _("8 hours")), (1440, _("1 day")),
]


class BroadcastForm(forms.Form):
    mall = forms.ModelChoiceField(label=_("Mall"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.EMERGENCY, widget=forms.RadioSelect)
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices, initial=Reason.EVACUATION)
    title_zh_cn = forms.CharField(label=_("Title (Simplified Chinese)"), max_length=120, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=120, required=False)
    title_zh_tw = forms.CharField(label=_("Title (Traditional Chinese)"), max_length=120, required=False)
    text_zh_cn = forms.CharField(label=_("Text (Simplified Chinese)"), max_length=600, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    text_en = forms.CharField(label=_("Text (English)"), max_length=600, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    text_zh_tw = forms.CharField(label=_("Text (Traditional Chinese)"), max_length=600, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.ImageField(label=_("Photo (a lost child: shown large on the kiosks)"), required=False)
    levels = forms.MultipleChoiceField(label=_("Only on these floors (none ticked: every kiosk)"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    duration_minutes = forms.TypedChoiceField(label=_("Show for"), choices=DURATION_CHOICES, coerce=int,
                                              initial=60)

    def __init__(self, *args, malls, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mall"].queryset = malls
        if malls.count() == 1:
            self.fields["mall"].initial = malls.first()
            self.fields["mall"].widget = forms.HiddenInput()
        self.fields["levels"].choices = levels

    def clean_photo(self):
        """A JPEG or PNG of at most 2 MB; its media type comes from Pillow, not the browser."""
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        if photo.size > MAX_BROADCAST_PHOTO_BYTES:
            raise forms.ValidationError(_("The photo is larger than 2 MB: send a smaller one."))
        image_format = getattr(photo, "image", None) and photo.image.format
        if image_format not in PHOTO_FORMATS:
            raise forms.ValidationError(_("The photo must be a JPEG or PNG picture."))
        photo.seek(0)
        return photo.read(), PHOTO_FORMATS[image_format]
