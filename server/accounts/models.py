"""The audit log of what staff did; staff are Django's users, their mall is `server.malls`."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    """Bulk changes are refused too, not only `save()` and `delete()` of one entry."""

    def update(self, **kwargs):
        raise PermissionError("audit entries are never changed")

    def delete(self):
        raise PermissionError("audit entries are never deleted")


class AuditEntry(models.Model):
    """One thing a staff member did in the console, kept for good: who, when, what, on what.

    Append-only: saving an existing entry, deleting one, or updating or deleting them in bulk
    through the ORM raises, and the admin shows the log read-only. Case events tell a case's
    story; this log answers "who looked at or changed what", including who revealed a visitor's phone number.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    mall = models.ForeignKey(
        "malls.Mall", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("mall"),
    )
    subject = models.CharField(_("subject"), max_length=64, blank=True, db_index=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are never deleted")
