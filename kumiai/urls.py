from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="purposes:notice", permanent=False)),
    path("privacy/", include("purposes.urls")),
    path("admin/", admin.site.urls),
    path("requests/", include("disclosure.urls")),
    path("accounts/", include("safeguards.urls")),
    path("complaints/", include("complaints.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include("records.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
