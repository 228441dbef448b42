"""Staff pages of site figures and their CSV export (under /<lang>/staff/)."""

from django.urls import path

from questions.staff import figures

urlpatterns = [
    path("sites/<int:site_id>/figures/", figures.site_figures, name="figures"),
    path("sites/<int:site_id>/figures.csv", figures.site_figures_csv, name="figures-csv"),
]
