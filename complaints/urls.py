from . import views

app_name = "complaints"
urlpatterns = views.DESK.urls()
