"""The loans console, mounted at /console/loans/."""
from django.urls import path

from . import views

app_name = "loans"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("new", views.loan_new, name="loan_new"),
    path("<int:loan_id>/return", views.loan_return, name="loan_return"),
    path("overdue/", views.overdue, name="overdue"),
    path("register/", views.register, name="register"),
    path("register/<int:lendable_id>/state", views.item_state, name="item_state"),
]
