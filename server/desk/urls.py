"""The desk ledgers' console, mounted at /console/desk/."""
from django.urls import path

from . import help_views, views

app_name = "desk"
urlpatterns = [
    path("", views.luggage_list, name="luggage_list"),
    path("luggage/new", views.luggage_create, name="luggage_create"),
    path("luggage/find", views.luggage_find, name="luggage_find"),
    path("luggage/closing", views.luggage_closing, name="luggage_closing"),
    path("luggage/<int:luggage_id>/", views.luggage_detail, name="luggage_detail"),
    path("luggage/<int:luggage_id>/pick-up", views.luggage_pick_up, name="luggage_pick_up"),
    path("luggage/<int:luggage_id>/ticket", views.luggage_ticket, name="luggage_ticket"),
    path("first-aid/", views.first_aid_list, name="first_aid_list"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new", views.incident_create, name="incident_create"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:incident_id>/status", views.incident_move, name="incident_move"),
    path("handovers/", views.handover_list, name="handover_list"),
    path("handovers/new", views.handover_create, name="handover_create"),
    path("handovers/<int:handover_id>/", views.handover_detail, name="handover_detail"),
    path("handovers/<int:handover_id>/acknowledge", views.handover_acknowledge, name="handover_acknowledge"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("help/", help_views.help_list, name="help_list"),
    path("help/alert", help_views.help_alert, name="help_alert"),
    path("help/<str:help_request_id>/acknowledge", help_views.help_acknowledge, name="help_acknowledge"),
    path("help/<str:help_request_id>/resolve", help_views.help_resolve, name="help_resolve"),
]
