from django.urls import path

from . import views

app_name = "broadcasts"
urlpatterns = [
    path("console/broadcasts/", views.broadcast_list, name="broadcast_list"),
    path("console/broadcasts/<str:broadcast_id>/", views.broadcast_detail, name="broadcast_detail"),
    path("console/broadcasts/<str:broadcast_id>/end", views.broadcast_end, name="broadcast_end"),
]
