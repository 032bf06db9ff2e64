"""Bookkeeping of the scheduled jobs (see server.core.jobs)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """The last run of one scheduled job. `lease_until` is the lock: a server claims a job by
    moving it forward in one conditional UPDATE, so two servers never run the same job at once."""

    name = models.CharField(_("job"), max_length=100, primary_key=True)
    lease_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), null=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
