from django.urls import path

from . import views

app_name = "fleet"
urlpatterns = [
    path("console/promotions/proof-of-play", views.proof_of_play, name="proof_of_play"),
]
