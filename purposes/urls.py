from django.urls import path

from . import views

app_name = "purposes"
urlpatterns = [
    path("", views.notice, name="notice"),
    path("history/", views.history, name="history"),
    path("history/<int:number>/", views.revision, name="revision"),
]
