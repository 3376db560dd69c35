from django.urls import path

from . import views

app_name = "purposes"
urlpatterns = [
    path("", views.notice, name="notice"),
]
