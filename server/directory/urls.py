"""/s/<mall>/<store>: a store's page handed from a kiosk to a phone by QR code."""
from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("s/<str:mall_id>/<str:store_id>", views.store_page, name="store"),
]
