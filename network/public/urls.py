from django.urls import path

from network.public import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("digipunt/<slug:slug>/", views.site_detail, name="site"),
]
