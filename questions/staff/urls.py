"""Staff pages of contact registration and visitor codes (under /<lang>/staff/)."""

from django.urls import path

from questions.staff import views

urlpatterns = [
    path("sites/<int:site_id>/contacts/new/", views.contact_new, name="contact-new"),
    path(
        "sites/<int:site_id>/contacts/<int:contact_id>/edit/",
        views.contact_edit,
        name="contact-edit",
    ),
    path(
        "sites/<int:site_id>/contacts/<int:contact_id>/delete/",
        views.contact_delete,
        name="contact-delete",
    ),
    path("sites/<int:site_id>/visitor-codes/", views.visitor_codes, name="visitor-codes"),
]
