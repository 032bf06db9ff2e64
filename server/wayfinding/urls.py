"""/r/<mall>/<from>/<to>: a route handed over from a kiosk by QR code; /console/wayfinding/."""
from django.urls import path

from venue.paths import ROUTE_PATH, django_route

from . import views

app_name = "wayfinding"
urlpatterns = [
    path(django_route(ROUTE_PATH), views.route_page, name="route"),
    path("console/wayfinding/", views.console, name="console"),
    path("console/wayfinding/closures", views.close_connector, name="close_connector"),
    path("console/wayfinding/publish", views.publish, name="publish"),
    path("console/wayfinding/maps/upload", views.map_upload, name="map_upload"),
    path("console/wayfinding/maps/review", views.map_review, name="map_review"),
    path("console/wayfinding/maps/publish", views.map_publish, name="map_publish"),
    path("console/wayfinding/maps/discard", views.map_discard, name="map_discard"),
    path("console/wayfinding/maps/export", views.map_export, name="map_export"),
]
