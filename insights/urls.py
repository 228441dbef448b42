"""The evidence's pages, in one URL namespace `insights` (under /<lang>/): the staff's dashboards,
coverage and funding cliff, and the public network report with its open data."""

from django.urls import path

from insights.public import views as public
from insights.staff import views as staff

app_name = "insights"
urlpatterns = [
    path("staff/insights/", staff.dashboard, name="dashboard"),
    path("staff/insights/coverage/", staff.coverage_page, name="coverage"),
    path("staff/insights/funding-cliff/", staff.cliff_page, name="cliff"),
    path("report/", public.report, name="report"),
    path("report/figures.csv", public.report_csv, name="report-csv"),
]
