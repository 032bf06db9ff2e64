"""Bookkeeping of the scheduled jobs (see server.core.jobs) and of the rate limits (server.core.throttle)."""
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


class RateCount(models.Model):
    """Requests counted against a rate limit in one fixed window, when the counts live in the
    database (server.core.throttle): `key` names the limit, the client and the window."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField()
    expires = models.FloatField(db_index=True)  # Unix time the window ends

    class Meta:
        verbose_name = _("rate limit count")
        verbose_name_plural = _("rate limit counts")

    def __str__(self) -> str:
        return self.key
