from django.urls import path

from . import views

app_name = "fleet"
urlpatterns = [
    path("console/promotions/proof-of-play", views.proof_of_play, name="proof_of_play"),
    path("console/fleet/", views.fleet_list, name="fleet_list"),
    path("console/fleet/settings", views.fleet_settings, name="fleet_settings"),
    path("console/fleet/kiosks/<str:kiosk_id>/", views.kiosk_detail, name="kiosk_detail"),
    path("console/fleet/kiosks/<str:kiosk_id>/approve", views.kiosk_approve, name="kiosk_approve"),
    path("console/fleet/kiosks/<str:kiosk_id>/revoke", views.kiosk_revoke, name="kiosk_revoke"),
    path("console/fleet/kiosks/<str:kiosk_id>/rotate-key", views.kiosk_rotate_key, name="kiosk_rotate_key"),
    path("console/fleet/kiosks/<str:kiosk_id>/command", views.kiosk_command, name="kiosk_command"),
    path("console/fleet/commands/<str:command_id>/screenshot.jpg", views.command_screenshot,
         name="command_screenshot"),
]
