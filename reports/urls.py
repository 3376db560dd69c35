from django.urls import path

from .views.access import AccessReviewView, EventListView
from .views.overview import OverviewView
from .views.scopes import (
    ConsentsView,
    DisposalsView,
    DisposalView,
    MyNumberView,
    ProcessorsView,
    ScopeRegisterView,
)
from .views.trail import TrailView, VerifyView

app_name = "reports"

urlpatterns = [
    path("", OverviewView.as_view(), name="overview"),
    path("access/", AccessReviewView.as_view(), name="access"),
    path("events/", EventListView.as_view(), name="events"),
    path("trail/", TrailView.as_view(), name="trail"),
    path("trail/verify/", VerifyView.as_view(), name="verify"),
    path("scopes/", ScopeRegisterView.as_view(), name="scopes"),
    path("my-number/", MyNumberView.as_view(), name="my_number"),
    path("processors/", ProcessorsView.as_view(), name="processors"),
    path("consents/", ConsentsView.as_view(), name="consents"),
    path("disposals/", DisposalsView.as_view(), name="disposals"),
    path("disposals/<int:pk>/", DisposalView.as_view(), name="disposal"),
]
