"""Public booking pages: book, see, move and cancel an appointment (under /<lang>/)."""

from django.urls import path

from appointments.public import views

app_name = "booking"
urlpatterns = [
    path("sites/<slug:slug>/book/", views.book, name="book"),
    path("appointments/<str:token>/", views.manage, name="manage"),
    path("appointments/<str:token>/booked/", views.confirmation, name="confirmation"),
]
