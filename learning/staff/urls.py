"""Staff pages of learning (under /<lang>/staff/)."""

from django.urls import path

from learning.staff import card_views, views

urlpatterns = [
    path("sites/<int:site_id>/help-cards/", card_views.cards, name="cards-staff"),
    path("sites/<int:site_id>/help-cards/new/", card_views.card_add, name="card-add"),
    path("sites/<int:site_id>/help-cards/send/", card_views.card_send, name="card-send"),
    path(
        "sites/<int:site_id>/help-cards/<int:card_id>/new-version/",
        card_views.card_edit,
        name="card-edit",
    ),
    path("sites/<int:site_id>/courses/", views.sessions, name="sessions"),
    path("sites/<int:site_id>/courses/catalogue/", views.courses, name="courses"),
    path("sites/<int:site_id>/courses/figures/", views.figures, name="figures"),
    path("sites/<int:site_id>/courses/catalogue/new/", views.course_add, name="course-add"),
    path(
        "sites/<int:site_id>/courses/catalogue/<int:course_id>/edit/",
        views.course_edit,
        name="course-edit",
    ),
    path(
        "sites/<int:site_id>/courses/catalogue/<int:course_id>/new-date/",
        views.session_add,
        name="session-add",
    ),
    path("sites/<int:site_id>/courses/dates/<int:session_id>/", views.session, name="session"),
    path(
        "sites/<int:site_id>/courses/dates/<int:session_id>/<slug:action>/",
        views.session_action,
        name="session-action",
    ),
]
