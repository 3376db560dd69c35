from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("", views.procedure, name="procedure"),
    path("forms/request.pdf", views.blank_form, {"name": "request"}, name="blank_request_form"),
    path("forms/proxy.pdf", views.blank_form, {"name": "proxy"}, name="blank_proxy_form"),
    path("new/", views.new, name="new"),
    path("confirm/", views.confirm, name="confirm"),
    path("done/", views.done, name="done"),
    path("status/<str:receipt>/", views.status, name="status"),
    path("status/<str:receipt>/letters/<int:pk>/", views.letter, name="letter"),
    path("status/<str:receipt>/download/", views.download, name="download"),
]
