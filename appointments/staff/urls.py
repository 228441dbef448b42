"""Staff pages of the appointment agenda and booking settings (under /<lang>/staff/)."""

from django.urls import path

from appointments.staff import views

urlpatterns = [
    path("sites/<int:site_id>/appointments/", views.agenda, name="agenda"),
    path("sites/<int:site_id>/appointments/new/", views.book, name="book"),
    path("sites/<int:site_id>/appointments/settings/", views.settings, name="settings"),
    path(
        "sites/<int:site_id>/appointments/<int:appointment_id>/<str:action>/",
        views.action,
        name="action",
    ),
]
