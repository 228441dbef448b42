"""The privacy pages of the staff (under /<lang>/staff/privacy/): a resident's request to see or
erase their data, the retention periods, the register of processing."""

from django.urls import path

from privacy.staff import views

urlpatterns = [
    path("", views.requests, name="requests"),
    path("export.json", views.export_json, name="export-json"),
    path("export/", views.export_page, name="export-page"),
    path("erase/", views.erase, name="erase"),
    path("retention/", views.retention, name="retention"),
    path("register/", views.register, name="register"),
]
