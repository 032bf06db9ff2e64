"""The manager's written analysis of a report period (the 客服接待月报表's 分析与改进): the
figures are computed from the cases each time; the words are the one thing stored."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class ReportAnalysis(models.Model):
    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="report_analyses",
                             verbose_name=_("mall"))
    period = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    first_day = models.DateField(_("first day"))
    text = models.TextField(_("analysis and improvements"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        verbose_name = _("report analysis")
        verbose_name_plural = _("report analyses")
        constraints = [models.UniqueConstraint(fields=["mall", "period", "first_day"], name="report_analysis_once")]

    def __str__(self) -> str:
        return f"{self.mall_id} {self.period} {self.first_day}"
