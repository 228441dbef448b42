"""Public booking pages: book, see, move and cancel an appointment (under /<lang>/)."""

from django.urls import path

from appointments.public import views

app_name = "booking"
urlpatterns = [
    path("digipunt/<slug:slug>/book/", views.book, name="book"),  # under the site page
    path("appointments/<str:token>/", views.manage, name="manage"),
    path("appointments/<str:token>/booked/", views.confirmation, name="confirmation"),
]
