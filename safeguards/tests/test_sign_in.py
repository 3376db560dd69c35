"""Staff sign-in: password and TOTP token, lockout, two-factor admin, idle sessions, headers."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from core.envelope import generate_kek
from safeguards.testing import current_token, enrol_device, sign_in_verified

SIGN_IN = "/accounts/sign-in/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff(officer):
    officer.set_password(PASSWORD)
    officer.save()
    return officer


def sign_in(client, user, *, password=PASSWORD, token=""):
    return client.post(
        SIGN_IN, {"username": user.username, "password": password, "otp_token": token}
    )


def test_it_shows_the_sign_in_form_in_japanese(client, db):
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    assert "確認コード" in response.content.decode()


def test_it_signs_in_with_password_and_token_and_opens_the_admin(client, staff):
    device = enrol_device(staff)

    response = sign_in(client, staff, token=current_token(device))

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


REFUSAL = (
    "ユーザー名、パスワード又は確認コードが正しくありません。"
    "確認コードは認証アプリに表示されている最新のものを入力してください。"
)


def refusal(response) -> str:
    """The error the page shows, as a person reads it."""
    return response.context["form"].non_field_errors()[0]


def test_it_refuses_a_right_password_without_a_token(client, staff):
    enrol_device(staff)

    response = sign_in(client, staff)

    assert response.status_code == 400
    assert refusal(response) == REFUSAL
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_wrong_password(client, staff):
    device = enrol_device(staff)

    response = sign_in(client, staff, password="wrong password", token=current_token(device))

    assert response.status_code == 400
    assert refusal(response) == REFUSAL


def test_a_wrong_code_and_a_wrong_password_read_the_same(client, staff, outsider):
    """No password oracle: the page must not tell a guesser that the password was right."""
    enrol_device(staff)
    outsider.set_password(PASSWORD)
    outsider.is_staff = False
    outsider.save()

    answers = [
        sign_in(client, staff, token="000000"),
        sign_in(client, staff, password="wrong password", token="000000"),
        client.post(SIGN_IN, {"username": "nobody", "password": PASSWORD, "otp_token": ""}),
        sign_in(client, outsider),  # the right password of someone who is not staff
    ]

    assert [a.status_code for a in answers] == [400] * 4
    assert [a.context["form"].errors for a in answers] == [{"__all__": [REFUSAL]}] * 4


def test_a_deactivated_account_with_the_right_password_and_code_reads_the_same(client, staff):
    """Administration: an account switched off answers as a wrong password does."""
    device = enrol_device(staff)
    staff.is_active = False
    staff.save()

    answer = sign_in(client, staff, token=current_token(device))

    assert answer.status_code == 400
    assert answer.context["form"].errors == {"__all__": [REFUSAL]}
    assert "_auth_user_id" not in client.session


def test_a_right_code_just_after_a_wrong_one_signs_in(client, staff):
    device = enrol_device(staff)

    wrong = sign_in(client, staff, token="000000")
    right = sign_in(client, staff, token=current_token(device))

    assert wrong.status_code == 400
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_a_right_code_after_wrong_ones_clears_the_count(client, staff):
    """Four mistakes and then the right code: the next mistake is the first again."""
    device = enrol_device(staff)
    for _ in range(4):
        assert sign_in(client, staff, token="000000").status_code == 400
    assert sign_in(client, staff, token=current_token(device)).status_code == 302
    client.post(reverse("safeguards:sign_out"))

    assert sign_in(client, staff, token="000000").status_code == 400


def test_the_sign_in_page_looks_like_the_admin(client, db):
    page = client.get(SIGN_IN).content.decode()

    assert re.search(r'<body class="[^"]*\blogin\b', page)
    assert "admin/css/login.css" in page
    assert '<div id="site-name"><a href="/admin/">Kumiai 管理画面</a></div>' in page
    assert '<html lang="ja"' in page


def test_it_locks_out_after_five_failures_with_a_japanese_page(client, staff):
    device = enrol_device(staff)
    for _ in range(4):
        assert sign_in(client, staff, password="wrong password").status_code == 400

    fifth = sign_in(client, staff, password="wrong password")
    # Even the right password and token are refused while locked out.
    after = sign_in(client, staff, token=current_token(device))

    assert fifth.status_code == 429
    assert after.status_code == 429
    assert "サインインを一時停止しています" in after.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_tokens_count_towards_the_lockout(client, staff):
    enrol_device(staff)
    for _ in range(4):
        sign_in(client, staff, token="000000")

    assert sign_in(client, staff, token="000000").status_code == 429


def test_the_admin_login_sends_staff_to_the_sign_in_page(client, staff):
    response = client.post(
        reverse("admin:login"), {"username": staff.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    assert "_auth_user_id" not in client.session


def test_the_admin_refuses_a_session_without_a_verified_device(client, staff):
    client.force_login(staff)  # a password-only session

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_verified_session_opens_the_admin(client, staff):
    sign_in_verified(client, staff)

    assert client.get(reverse("admin:index")).status_code == 200


def test_production_settings_serve_the_two_factor_admin():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kumiai.settings.production",
        "SECRET_KEY": "x" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789",
        "ALLOWED_HOSTS": "example.org",
        "EMAIL_URL": "smtp://mail.example.org:25",
        "KUMIAI_KEK": generate_kek(),
    }
    code = (
        "from django.contrib import admin; from django_otp.admin import OTPAdminSite; "
        "print(isinstance(admin.site, OTPAdminSite))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr


@pytest.fixture
def clock(monkeypatch):
    """Move Django's clock: `clock(minutes=31)` makes every later request 31 minutes later."""
    start = timezone.now()
    offset = datetime.timedelta()

    def advance(**delta):
        nonlocal offset
        offset += datetime.timedelta(**delta)

    monkeypatch.setattr(timezone, "now", lambda: start + offset)
    return advance


def test_a_session_ends_after_thirty_idle_minutes(client, staff, clock):
    sign_in_verified(client, staff)

    clock(minutes=31)

    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_each_request_keeps_the_session_alive(client, staff, clock):
    sign_in_verified(client, staff)
    for _ in range(3):
        clock(minutes=25)
        assert client.get(reverse("admin:index")).status_code == 200


def test_pages_carry_a_content_security_policy_and_no_framing(client, db):
    response = client.get(SIGN_IN)

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_signing_out_ends_the_session(client, staff):
    sign_in_verified(client, staff)

    client.post(reverse("safeguards:sign_out"))

    assert "_auth_user_id" not in client.session


def through_proxy(client, address: str, *, username: str, password: str, token: str = ""):
    """A sign-in from `address` that reached the app through one reverse proxy (10.0.0.1)."""
    return client.post(
        SIGN_IN,
        {"username": username, "password": password, "otp_token": token},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


def guess(client, address: str, n: int):
    return through_proxy(client, address, username=f"guess{n}", password="wrong password")


def staff_signs_in(client, staff, address: str):
    token = current_token(enrol_device(staff))
    return through_proxy(client, address, username=staff.username, password=PASSWORD, token=token)


def test_behind_a_proxy_one_guesser_locks_out_only_itself(client, staff, settings):
    settings.PROXY_COUNT = 1
    for n in range(5):
        guess(client, "203.0.113.5", n)

    assert guess(client, "203.0.113.5", 9).status_code == 429
    assert staff_signs_in(client, staff, "198.51.100.7").status_code == 302


def test_without_proxy_count_a_forged_forwarded_header_does_not_dodge_the_lockout(client, staff):
    for n in range(5):
        guess(client, f"203.0.113.{n}", n)

    # Every try came from 10.0.0.1, whatever the header said: that address is locked out.
    assert staff_signs_in(client, staff, "198.51.100.7").status_code == 429
