from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("", views.procedure, name="procedure"),
    path("forms/request.pdf", views.blank_form, {"name": "request"}, name="blank_request_form"),
    path("forms/proxy.pdf", views.blank_form, {"name": "proxy"}, name="blank_proxy_form"),
    *views.DESK.urls(),
    path("status/<str:receipt>/letters/<uuid:key>/", views.letter, name="letter"),
    path("status/<str:receipt>/download/", views.download, name="download"),
]
