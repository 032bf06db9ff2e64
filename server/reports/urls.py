"""Report pages under /console/reports/."""
from django.urls import path

from . import period_views, views

app_name = "reports"
urlpatterns = [
    path("", views.daily, name="daily"),
    path("monthly", period_views.report, name="monthly"),
    path("monthly/print", period_views.report_print, name="print"),
    path("monthly/analysis", period_views.analysis, name="analysis"),
    path("audit", views.audit_log, name="audit"),
]
