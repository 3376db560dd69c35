"""Routes of the core-system REST API, mounted at /api/v1/."""

from django.urls import path

from purposes.api import PurposeRegister

from . import api, api_import

app_name = "api"
urlpatterns = [
    path("members/", api.MemberList.as_view(), name="member-list"),
    path("members/<int:pk>/", api.MemberDetail.as_view(), name="member-detail"),
    path("records/", api.RecordList.as_view(), name="record-list"),
    path("records/<int:pk>/", api.RecordDetail.as_view(), name="record-detail"),
    path("import/", api_import.ImportView.as_view(), name="import"),
    path("purposes/", PurposeRegister.as_view(), name="purpose-register"),
]
