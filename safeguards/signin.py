"""Staff sign-in: username, password and a TOTP token from the staff member's device.

Every failure, the token's included, is reported to django-axes (`user_login_failed`), so
repeated guesses lock the account and the address out; the lockout page is
`safeguards/locked_out.html` (settings.AXES_LOCKOUT_TEMPLATE). Every failure reads the same,
so that the page never tells whether the password was right.
"""

from django import forms
from django.contrib import admin, auth, messages
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import match_token

REFUSAL = _(
    "ユーザー名、パスワード又は確認コードが正しくありません。"
    "確認コードは認証アプリに表示されている最新のものを入力してください。"
)


class SignInForm(forms.Form):
    username = forms.CharField(label=_("ユーザー名"), max_length=150)
    password = forms.CharField(label=_("パスワード"), strip=False, widget=forms.PasswordInput)
    otp_token = forms.CharField(
        label=_("確認コード"),
        max_length=8,
        required=False,
        help_text=_("認証アプリに表示されている6桁の数字"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, request: HttpRequest, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        user = auth.authenticate(self.request, username=username, password=password)
        if user is None:
            # authenticate() has reported the failure to django-axes itself.
            raise ValidationError(REFUSAL)
        token = self.cleaned_data.get("otp_token", "").strip()
        device = match_token(user, token) if user.is_staff and token else None
        if device is None:
            # The same words as for a wrong password (a guesser must not learn that the
            # password was right), and the same count toward the lockout.
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=self.request
            )
            raise ValidationError(REFUSAL)
        # django_otp's user_logged_in handler stores the device in the session.
        user.otp_device = device
        self.user = user
        return self.cleaned_data


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("admin:index")


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth.login(request, form.user)
        return redirect(_next_url(request))
    # The admin's frame (header, styles) around the form: staff sign in where they work.
    context = {
        **admin.site.each_context(request),
        "title": _("職員サインイン"),
        "form": form,
        "next": _next_url(request),
    }
    return render(request, "safeguards/sign_in.html", context, status=400 if form.is_bound else 200)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    messages.success(request, _("サインアウトしました。"))
    return redirect("safeguards:sign_in")
