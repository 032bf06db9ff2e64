"""Phone tracking page and staff console, included by the platform at the site root.

Staff sign in and out through server.accounts (settings.LOGIN_URL)."""
from django.urls import path

from venue.paths import TRACKING_PATH, django_route

from . import followup_views, team_views, views

app_name = "cases"
urlpatterns = [
    path(django_route(TRACKING_PATH), views.track, name="track"),
    path(django_route(TRACKING_PATH) + "/reply", views.track_reply, name="track_reply"),
    path(django_route(TRACKING_PATH) + "/rate", views.track_rate, name="track_rate"),
    path("console/", views.console_home, name="console_home"),
    path("console/cases/", views.case_list, name="case_list"),
    path("console/cases/new", views.case_new, name="case_new"),
    path("console/follow-ups/", followup_views.follow_up_list, name="follow_ups"),
    path("console/follow-ups/<int:follow_up_id>/close", followup_views.follow_up_close, name="follow_up_close"),
    path("console/cases/deadlines", views.deadlines, name="deadlines"),
    path("console/cases/same-day", views.same_day_reports, name="same_day_reports"),
    path("console/cases/<str:case_id>/", views.case_detail, name="case_detail"),
    path("console/cases/<str:case_id>/status", views.case_transition, name="case_transition"),
    path("console/cases/<str:case_id>/notes", views.case_note, name="case_note"),
    path("console/cases/<str:case_id>/owner", views.case_hand_over, name="case_hand_over"),
    path("console/cases/<str:case_id>/reply", views.case_canned_reply, name="case_canned_reply"),
    path("console/cases/<str:case_id>/priority", views.case_priority, name="case_priority"),
    path("console/cases/<str:case_id>/escalate", views.case_escalate, name="case_escalate"),
    path("console/cases/<str:case_id>/callback", views.case_callback, name="case_callback"),
    path("console/cases/<str:case_id>/contact", views.case_reveal_contact, name="case_reveal_contact"),
    path("console/cases/<str:case_id>/queue", team_views.case_queue, name="case_queue"),
    path("console/cases/<str:case_id>/take", team_views.case_take, name="case_take"),
    path("console/cases/<str:case_id>/team", team_views.case_team, name="case_team"),
    path("console/cases/<str:case_id>/merge", team_views.case_merge, name="case_merge"),
    path("console/cases/<str:case_id>/photos", views.case_attach, name="case_attach"),
    path("console/cases/<str:case_id>/photos/<int:attachment_id>", views.case_attachment,
         name="case_attachment"),
]
