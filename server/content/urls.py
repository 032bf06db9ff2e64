from django.urls import path

from . import views

app_name = "content"
urlpatterns = [
    path("console/promotions/", views.promotion_list, name="promotion_list"),
    path("console/promotions/new", views.promotion_edit, name="promotion_new"),
    path("console/promotions/publish", views.publish, name="publish"),
    path("console/promotions/<str:content_id>/", views.promotion_edit, name="promotion_edit"),
]
