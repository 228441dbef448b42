"""Open-data API, mounted at /api/ outside the language prefix.

HSDS paths follow the HSDS 3.0 reference API (no trailing slash, `{id}` path parameters). Ids are
matched as plain strings so that a malformed id gets the API's JSON 404, not the HTML one.
Every path here is described in `network.api.openapi` (a test checks that they stay in step);
the document itself, /api/openapi.json, is assembled at the top (`workspace.openapi`).
"""

from django.urls import path

from network.api import views

app_name = "network_api"

urlpatterns = [
    path("hsds/", views.hsds_root, name="hsds-root"),
    path("hsds/services", views.services, name="services"),
    path("hsds/services/<str:id>", views.service, name="service"),
    path("hsds/service_at_locations", views.service_at_locations, name="service-at-locations"),
    path(
        "hsds/service_at_locations/<str:id>",
        views.service_at_location,
        name="service-at-location",
    ),
    path("hsds/organizations", views.organizations, name="organizations"),
    path("hsds/organizations/<str:id>", views.organization, name="organization"),
    path("hsds/locations", views.locations, name="locations"),
    path("hsds/locations/<str:id>", views.location, name="location"),
    path("hsds/taxonomies", views.taxonomies, name="taxonomies"),
    path("hsds/taxonomies/<str:id>", views.taxonomy, name="taxonomy"),
    path("hsds/taxonomy_terms", views.taxonomy_terms, name="taxonomy-terms"),
    path("hsds/taxonomy_terms/<str:id>", views.taxonomy_term, name="taxonomy-term"),
    path("hsds/schemas/<str:name>", views.hsds_schema, name="hsds-schema"),
    path("sites.geojson", views.sites_geojson, name="sites-geojson"),
]
