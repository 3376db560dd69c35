"""The demo as a newcomer walks it (README, The demo, role by role): `manage.py demo` run, each
printed account signed in on the sign-in page with its password and authenticator code, then
every page its landing page links to opened, and the first row of each list: in Chromium at
a desktop's 1,280 px, and the same pages but the rows at a phone's 390 px, both widths in one
test per account, so that the demo is loaded once for each. No page answers an error or a
refusal for a link it was shown, none is wider than the screen, none shows a word of
Django's English or a code's name.

Screenshots of each page are kept in var/screenshots/ (`screenshots` fixture).
"""

import base64
import io
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp

from safeguards.roles import Role
from tests.browser import page_width

from .test_demo_command import ACCOUNT_LINE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}
# A word in Latin letters: Django's English, or a code's name or value. Not counted: names
# in capitals (PDF, JPEG, APPI), a path's parts, the keys the multiple-choice help names, the
# demo's user names, and the register's codes, shown as codes beside their names.
LATIN = re.compile(r"(?<![\w@./-])(?![A-Z]{2,}\b)[A-Za-z][A-Za-z_]{2,}(?![\w@./-])")
NAMES = {"Kumiai", "Control", "Command", "Mac", "purpose"}  # purpose: the API's parameter
# What the landing page links to that is not a page to read: signing out, the public site.
LEFT_OUT = re.compile(r"/sign-out|/logout|^/$|/privacy/|/requests/new|/complaints/new|#")


USERS = {"officer", "handler", "benefits", "desk", "auditor", "sysadmin"}
CODES: set[str] = set()


@pytest.fixture
def accounts(transactional_db):
    # A flushed database has lost the rows of data migrations: the roles' groups.
    for role in Role:
        Group.objects.get_or_create(name=role)
    out = io.StringIO()
    call_command("demo", "--members", "12", stdout=out)
    CODES.update(
        code
        for model in apps.get_app_config("purposes").get_models()
        if any(field.name == "code" for field in model._meta.fields)
        for code in model._default_manager.values_list("code", flat=True)
    )
    return {
        user: (password, secret) for user, password, secret in ACCOUNT_LINE.findall(out.getvalue())
    }


def signed_in(chromium, live_server, accounts, username: str):
    width, height = SCREENS["desktop"]
    page = chromium.new_context(
        viewport={"width": width, "height": height}, locale="ja-JP"
    ).new_page()
    password, secret = accounts[username]
    page.goto(live_server.url + reverse("safeguards:sign_in"))
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_label("確認コード").fill(f"{totp(base64.b32decode(secret)):06d}")
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def links(page, live_server, selector: str) -> list[str]:
    found = page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    paths = []
    for href in found:
        path = (href or "").removeprefix(live_server.url)
        if path.startswith("/") and not LEFT_OUT.search(path) and path not in paths:
            paths.append(path)
    return paths


def read(page, live_server, path: str, shot) -> list[str]:
    """Open `path`; what is wrong with it, in words (empty when nothing is)."""
    response = page.goto(live_server.url + path)
    problems = []
    if response is None or response.status >= 400:
        said = page.locator("body").inner_text()[:300] if response else ""
        return [f"{path}: HTTP {response.status if response else '—'} {said!r}"]
    text = page.locator("body").inner_text()
    allowed = NAMES | USERS | CODES
    if found := [word for word in LATIN.findall(text) if word not in allowed]:
        problems.append(f"{path}: English {sorted(set(found))}")
    width = page.viewport_size["width"]
    if (scroll := page_width(page)) > width:
        problems.append(f"{path}: {scroll} px wide on a {width} px screen")
    shot(path)
    return problems


@pytest.mark.parametrize(
    "username", ["officer", "handler", "benefits", "desk", "auditor", "sysadmin"]
)
def test_each_demo_account_reads_every_page_its_landing_page_offers(
    username, chromium, live_server, accounts, screenshots
):
    # Signed in once (an authenticator code is accepted once), then each width in turn.
    page = signed_in(chromium, live_server, accounts, username)
    problems = []
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})

        def shot(path: str, screen=screen):
            name = re.sub(r"[^a-z0-9]+", "-", path).strip("-") or "index"
            page.screenshot(
                path=screenshots / f"demo-{username}-{screen}-{name}.png", full_page=True
            )

        problems += read(page, live_server, reverse("admin:index"), shot)
        offered = links(page, live_server, "#content a, #content-main a")
        assert offered, f"the landing page offers nothing to open at the {screen}'s width"
        for path in offered:
            problems += read(page, live_server, path, shot)
            # A list's first row too, at the desktop's width (the phone's pages are the same
            # templates: its lists and landing pages stand for them).
            if screen == "desktop" and path.startswith("/admin/") and path.count("/") == 4:
                for row in links(page, live_server, "#result_list tbody tr a")[:1]:
                    problems += read(page, live_server, row, shot)
    assert not problems, "\n".join(problems)
