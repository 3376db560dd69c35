from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("new/", views.new, name="new"),
    path("received/", views.received, name="received"),
    path("status/", views.status, name="status"),
]
