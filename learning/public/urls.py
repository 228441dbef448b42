"""Public course pages (under /<lang>/)."""

from django.urls import path

from learning.public import views

urlpatterns = [
    path("courses/", views.finder, name="finder"),
    path("courses/dates/<int:session_id>/register/", views.register, name="register"),
    path("courses/dates/<int:session_id>.ics", views.session_ics, name="session-ics"),
    path("courses/digipunt/<slug:slug>.ics", views.site_feed, name="site-feed"),
    path("courses/registration/<str:token>/", views.manage, name="manage"),
    path("courses/<slug:slug>/", views.course, name="course"),
    path("help-cards/", views.cards, name="cards"),
    path("skills-check/", views.self_check, name="self-check"),
    path("help-cards/<slug:slug>/", views.card, name="card"),
]
