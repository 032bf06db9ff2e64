"""Staff accounts are Django's users; this adds the mall each person works for."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("user")
    )
    mall = models.ForeignKey(
        "content.Mall", on_delete=models.PROTECT, null=True, blank=True, related_name="staff",
        verbose_name=_("mall"), help_text=_("Empty only for administrators who work across all malls."),
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} @ {self.mall_id or '*'}"
