"""The notification settings in the console and the live streams of the console and the
tracking page (outside /console/: they are streams, not pages)."""
from django.urls import path

from venue.paths import TRACKING_PATH, django_route

from . import views

app_name = "notifications"
urlpatterns = [
    path("console/notifications/", views.preferences, name="preferences"),
    path("live/console", views.console_stream, name="console_stream"),
    path(django_route(TRACKING_PATH) + "/live", views.tracking_stream, name="tracking_stream"),
]
