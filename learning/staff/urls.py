"""Staff pages of learning (under /<lang>/staff/)."""

from django.urls import path

from learning.staff import views

urlpatterns = [
    path("sites/<int:site_id>/courses/", views.sessions, name="sessions"),
    path("sites/<int:site_id>/courses/catalogue/", views.courses, name="courses"),
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
