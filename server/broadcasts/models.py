"""Notices and emergencies staff send to the kiosks of a mall, and each kiosk's "shown at".

A broadcast is shown by every targeted kiosk from its start until it expires or staff end it.
Kiosks learn of it by polling (GET /api/v1/kiosk/broadcasts every few seconds) and report
when they drew it; the console lists which kiosks have shown it and which have not.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from ulid import ULID


def new_broadcast_id() -> str:
    return str(ULID())


def empty_list() -> list:
    return []


class Kind(models.TextChoices):
    NOTICE = "notice", _("Notice (a banner over the screen)")
    EMERGENCY = "emergency", _("Emergency (takes over the whole screen)")


class Reason(models.TextChoices):
    EVACUATION = "evacuation", _("Evacuation")
    FIRE = "fire", _("Fire")
    POWER_CUT = "power_cut", _("Power cut")
    SEVERE_WEATHER = "severe_weather", _("Severe weather")
    MEDICAL = "medical", _("Medical emergency")
    LOST_CHILD = "lost_child", _("Lost child")
    CLOSING_TIME = "closing_time", _("Closing time")
    OTHER = "other", _("Other")


class Broadcast(models.Model):
    id = models.CharField(_("id"), max_length=26, primary_key=True, default=new_broadcast_id, editable=False)
    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="broadcasts",
                             verbose_name=_("mall"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, default=Reason.OTHER)
    title_zh_cn = models.CharField(_("title (Simplified Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120)
    title_zh_tw = models.CharField(_("title (Traditional Chinese)"), max_length=120)
    text_zh_cn = models.TextField(_("text (Simplified Chinese)"), max_length=600, blank=True)
    text_en = models.TextField(_("text (English)"), max_length=600, blank=True)
    text_zh_tw = models.TextField(_("text (Traditional Chinese)"), max_length=600, blank=True)
    photo_sha256 = models.CharField(
        _("photo"), max_length=64, blank=True, help_text=_("A blob (the content store) shown with the notice."),
    )
    target_level_ids = models.JSONField(
        _("only on levels"), default=empty_list, blank=True, help_text=_("Level ids; empty means every kiosk."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("sent by"))
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("ended by"))

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["mall", "expires_at"], name="broadcast_mall_expires")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title_zh_cn}"


class ShownReceipt(models.Model):
    """A kiosk drew a broadcast on its screen at `shown_at` (its clock); one row per kiosk."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="receipts")
    kiosk = models.ForeignKey("fleet.Kiosk", on_delete=models.CASCADE, related_name="+", verbose_name=_("kiosk"))
    shown_at = models.DateTimeField(_("shown at (kiosk clock)"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shown receipt")
        verbose_name_plural = _("shown receipts")
        constraints = [models.UniqueConstraint(fields=["broadcast", "kiosk"], name="broadcast_shown_once")]
