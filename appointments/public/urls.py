"""Public booking pages: book, see, move and cancel an appointment (under /<lang>/)."""

from django.urls import path

from appointments.public import views

urlpatterns = [
    path("digipunt/<slug:slug>/book/", views.book, name="online-book"),  # under the site page
    path("appointments/<str:token>/", views.manage, name="online-manage"),
]
