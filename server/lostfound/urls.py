"""The lost-property console, mounted at /console/lost-property/."""
from django.urls import path

from . import views

app_name = "lostfound"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("items/new", views.item_create, name="item_create"),
    path("items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("items/<int:item_id>/receive", views.item_receive, name="item_receive"),
    path("items/<int:item_id>/storage", views.item_storage, name="item_storage"),
    path("items/<int:item_id>/photos", views.item_photo_add, name="item_photo_add"),
    path("items/<int:item_id>/photos/<int:photo_id>", views.item_photo, name="item_photo"),
    path("items/<int:item_id>/label", views.item_label, name="item_label"),
    path("items/<int:item_id>/dispose", views.item_dispose, name="item_dispose"),
    path("items/<int:item_id>/disposal-request", views.item_disposal_request, name="item_disposal_request"),
    path("items/<int:item_id>/disposal-approve", views.item_disposal_approve, name="item_disposal_approve"),
    path("items/<int:item_id>/announce", views.item_announce, name="item_announce"),
    path("items/<int:item_id>/claim", views.claim_new, name="claim_new"),
    path("l/<str:token>", views.label_scan, name="label_scan"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/new", views.report_create, name="report_create"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/rematch", views.report_rematch, name="report_rematch"),
    path("reports/<int:report_id>/suggest", views.report_suggest, name="report_suggest"),
    path("reports/<int:report_id>/suggestions/<int:suggestion_id>", views.suggestion_decide,
         name="suggestion_decide"),
    path("claims/<int:claim_id>/handover", views.claim_handover, name="claim_handover"),
    path("claims/<int:claim_id>/signature", views.claim_signature, name="claim_signature"),
    path("retention/", views.retention, name="retention"),
    path("figures/", views.figures, name="figures"),
]
