"""Staff pages of device lending (under /<lang>/staff/)."""

from django.urls import path

from lending.staff import agreement_views, figures, labels, views

urlpatterns = [
    path("sites/<int:site_id>/lending/", views.desk, name="desk"),
    path("sites/<int:site_id>/lending/lend/", views.checkout, name="checkout"),
    path("sites/<int:site_id>/lending/devices/", views.devices, name="devices"),
    path("sites/<int:site_id>/lending/devices/new/", views.device_add, name="device-add"),
    path("sites/<int:site_id>/lending/devices/import/", views.devices_import, name="import"),
    path("sites/<int:site_id>/lending/devices.csv", views.devices_export, name="export"),
    path("sites/<int:site_id>/lending/devices.xlsx", views.devices_export_xlsx, name="export-xlsx"),
    path("sites/<int:site_id>/lending/devices/labels/", labels.labels, name="labels"),
    path("sites/<int:site_id>/lending/figures/", figures.figures, name="figures"),
    path("sites/<int:site_id>/lending/devices/<int:device_id>/", views.device, name="device"),
    path(
        "sites/<int:site_id>/lending/devices/<int:device_id>/edit/",
        views.device_edit,
        name="device-edit",
    ),
    path(
        "sites/<int:site_id>/lending/devices/<int:device_id>/<slug:action>/",
        views.device_action,
        name="device-action",
    ),
    path("sites/<int:site_id>/lending/loans/<int:loan_id>/", views.loan, name="loan"),
    path(
        "sites/<int:site_id>/lending/loans/<int:loan_id>/agreement/",
        agreement_views.loan_agreement,
        name="loan-agreement",
    ),
    path(
        "sites/<int:site_id>/lending/loans/<int:loan_id>/<slug:action>/",
        views.loan_action,
        name="loan-action",
    ),
    path("sites/<int:site_id>/lending/borrowers/", views.borrowers, name="borrowers"),
    path(
        "sites/<int:site_id>/lending/borrowers/<int:borrower_id>/",
        views.borrower,
        name="borrower",
    ),
    path("sites/<int:site_id>/lending/follow-up/", views.follow_up, name="follow-up"),
    path("sites/<int:site_id>/lending/agreement/", agreement_views.agreement, name="agreement"),
    path(
        "organisations/<int:organisation_id>/lending/rules/",
        agreement_views.rules,
        name="rules",
    ),
    path("sites/<int:site_id>/lending/bookings/", views.bookings, name="bookings"),
    path("sites/<int:site_id>/lending/waiting/", views.waiting, name="waiting"),
    path(
        "sites/<int:site_id>/lending/waiting/<int:hold_id>/cancel/",
        views.hold_cancel,
        name="hold-cancel",
    ),
    path(
        "sites/<int:site_id>/lending/bookings/<int:booking_id>/cancel/",
        views.booking_cancel,
        name="booking-cancel",
    ),
]
