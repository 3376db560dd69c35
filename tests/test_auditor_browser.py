"""The 監事's day in Chromium: sign in with password and authenticator code, find the reports
from where sign-in lands, sign out from them; at a desktop's and a phone's width.

Screenshots of each step are kept in var/screenshots/ (`screenshots` fixture).
"""

import pytest
from django.urls import reverse

from safeguards.testing import current_token, enrol_device

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

PASSWORD = "correct horse battery staple"
SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def auditor_with_device(auditor):
    auditor.set_password(PASSWORD)
    auditor.save()
    return auditor, enrol_device(auditor)


def assert_on_screen(locator, width: int, height: int):
    """Visible without scrolling, in the first screenful."""
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.mark.parametrize("screen", SCREENS)
def test_the_auditor_signs_in_reaches_the_reports_and_signs_out(
    screen, chromium, live_server, auditor_with_device, screenshots
):
    width, height = SCREENS[screen]
    user, device = auditor_with_device
    page = chromium.new_context(
        viewport={"width": width, "height": height}, locale="ja-JP"
    ).new_page()

    def shot(step: str):
        page.screenshot(path=screenshots / f"auditor-{screen}-{step}.png", full_page=True)

    page.goto(live_server.url + reverse("safeguards:sign_in"))
    page.get_by_label("ユーザー名").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("確認コード").fill(current_token(device))
    shot("1-sign-in")
    page.get_by_role("button", name="サインイン").click()

    assert page.url == live_server.url + reverse("admin:index")
    to_reports = page.get_by_role("link", name="監査報告を開く")
    assert_on_screen(to_reports, width, height)
    shot("2-landing")
    to_reports.click()

    assert page.url == live_server.url + reverse("reports:overview")
    assert page.get_by_role("heading", level=1).inner_text() == "個人情報の取扱いの概況"
    sign_out = page.get_by_role("button", name="サインアウト")
    assert_on_screen(sign_out, width, height)
    shot("3-reports")
    sign_out.click()

    assert page.url == live_server.url + reverse("safeguards:sign_in")
    assert page.get_by_text("サインアウトしました。").is_visible()
    shot("4-signed-out")
    page.goto(live_server.url + reverse("reports:overview"))
    assert page.url.startswith(live_server.url + reverse("safeguards:sign_in"))
