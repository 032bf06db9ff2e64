"""Report pages under /console/reports/."""
from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.daily, name="daily"),
    path("monthly", views.monthly, name="monthly"),
    path("audit", views.audit_log, name="audit"),
]
