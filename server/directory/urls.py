"""/s/<mall>/<store>: a store's page handed from a kiosk to a phone by QR code."""
from django.urls import path

from venue.paths import STORE_PATH, django_route

from . import views

app_name = "directory"
urlpatterns = [
    path(django_route(STORE_PATH), views.store_page, name="store"),
]
