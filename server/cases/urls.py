"""Phone tracking page and staff console, included by the platform at the site root.

Staff sign in and out through server.accounts (settings.LOGIN_URL)."""
from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("t/<str:token>", views.track, name="track"),
    path("console/", views.console_home, name="console_home"),
    path("console/cases/", views.case_list, name="case_list"),
    path("console/cases/<str:case_id>/", views.case_detail, name="case_detail"),
    path("console/cases/<str:case_id>/status", views.case_transition, name="case_transition"),
    path("console/cases/<str:case_id>/notes", views.case_note, name="case_note"),
    path("console/cases/<str:case_id>/owner", views.case_hand_over, name="case_hand_over"),
]
