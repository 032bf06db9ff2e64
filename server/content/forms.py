"""The promotion editor's form. Shapes only; publishing validates the whole draft (services)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from server.core.uploads import ImageRefused, accept_image, read_upload

from .models import Category, KioskPoint, Level, Promotion, Store
from .promotions import WEEKDAYS, level_label

MAX_IMAGE_BYTES = 8 * 1024 * 1024
ISO_DATE = "%Y-%m-%d"
"""What an <input type="date"> takes as its value, whatever the page's language (Chinese
formats such as 2026/01/01 would leave the field empty, and the saved dates unseen)."""


class PromotionForm(forms.ModelForm):
    image = forms.FileField(label=_("Picture (PNG, JPEG or WebP; 16:9 fills the screen)"), required=False)
    weekdays = forms.TypedMultipleChoiceField(label=_("Weekdays"), choices=WEEKDAYS, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    target_level_ids = forms.MultipleChoiceField(label=_("Only on these floors"), required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    target_kiosk_ids = forms.MultipleChoiceField(label=_("Only at these kiosks"), required=False,
                                                 widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Promotion
        fields = ["content_id", "title_zh_cn", "title_en", "title_zh_tw", "text_zh_cn", "text_en", "text_zh_tw",
                  "store", "category", "starts_on", "ends_on", "weekdays", "hours_from", "hours_to", "priority",
                  "target_level_ids", "target_kiosk_ids"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
            "hours_from": forms.TextInput(attrs={"placeholder": "10:00", "pattern": r"([01]\d|2[0-3]):[0-5]\d|24:00"}),
            "hours_to": forms.TextInput(attrs={"placeholder": "22:00", "pattern": r"([01]\d|2[0-3]):[0-5]\d|24:00"}),
            "text_zh_cn": forms.Textarea(attrs={"rows": 2}), "text_en": forms.Textarea(attrs={"rows": 2}),
            "text_zh_tw": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, mall, **kwargs):
        super().__init__(*args, **kwargs)
        self.mall = mall
        self.fields["store"].queryset = Store.objects.filter(mall=mall).order_by("position", "content_id")
        self.fields["store"].help_text = _("The card on the kiosk leads to this store's page and the route there.")
        self.fields["category"].queryset = Category.objects.filter(mall=mall).order_by("position", "content_id")
        self.fields["category"].help_text = _(
            "Without a store: the category the promotion is listed under (e.g. all restaurants); "
            "with neither, it is listed as mall-wide.")
        self.fields["priority"].help_text = _("Higher plays first; equal priorities play newest first.")
        self.fields["weekdays"].initial = [day for day, _label in WEEKDAYS]
        self.fields["target_level_ids"].choices = [
            (level.content_id, level_label(level)) for level in Level.objects.filter(mall=mall).order_by("ordinal")]
        self.fields["target_kiosk_ids"].choices = [
            (point.content_id, point.name_zh_cn) for point in KioskPoint.objects.filter(mall=mall)]
        if self.instance.pk:
            self.fields["content_id"].disabled = True  # kiosks' proof-of-play counts are keyed by it
        else:
            self.fields["image"].required = True

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload is None:
            return None
        try:
            return accept_image(read_upload(upload, MAX_IMAGE_BYTES), max_bytes=MAX_IMAGE_BYTES)
        except ImageRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day is before the first day."))
        if cleaned.get("hours_from") == "24:00":
            self.add_error("hours_from",
                           _("A day's showing starts at 23:59 at the latest (00:00 is the start of the day)."))
        elif cleaned.get("hours_from") and cleaned.get("hours_from") == cleaned.get("hours_to"):
            self.add_error("hours_to", _("Shown from and until are the same time, so it would never show."))
        content_id = cleaned.get("content_id")
        taken = Promotion.objects.filter(mall=self.mall, content_id=content_id)
        if content_id and not self.instance.pk and taken.exists():
            self.add_error("content_id", _("Another promotion of this mall has this id."))
        return cleaned
