"""Routes of the core-system REST API, mounted at /api/v1/."""

from django.urls import path  # noqa: F401  (routes are added by the API views' modules)

app_name = "api"
urlpatterns: list = []
