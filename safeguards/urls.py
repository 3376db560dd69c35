from django.urls import path

from safeguards import signin

app_name = "safeguards"

urlpatterns = [
    path("sign-in/", signin.sign_in, name="sign_in"),
    path("sign-out/", signin.sign_out, name="sign_out"),
]
