"""The 監事's day in Chromium: sign in with password and authenticator code, find the reports
from where sign-in lands, sign out from them; at a desktop's and a phone's width.

Screenshots of each step are kept in var/screenshots/ (`screenshots` fixture).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from safeguards.testing import current_token, enrol_device
from tests.browser import fits

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
    expect(page.get_by_text("サインアウトしました。")).to_be_visible()
    shot("4-signed-out")
    page.goto(live_server.url + reverse("reports:overview"))
    assert page.url.startswith(live_server.url + reverse("safeguards:sign_in"))


def _seed_a_day_of_work(handler, privacy_officer):
    """A day's trail: a read, a refusal, a verification whose checkpoint was bogus, and the
    destruction of an erased member's key still waiting for the key store."""
    from django.utils import timezone

    from audit.trail import actor_for, append
    from audit.vocabulary import Action
    from records import gate
    from records.models import PendingKeyOperation
    from reports.selectors.trail import verify

    with gate.ledger():
        access = gate.open_access(
            user=handler, surface=gate.Surface.ADMIN, purpose="checkup-reminder"
        )
        list(gate.records(access))
    append(
        action=Action.RECORDS_ACCESS_REFUSED,
        actor=actor_for(handler),
        purpose="",
        details={"surface": "admin", "reason": "purpose_missing"},
    )
    append(
        action=Action.REPORTS_TRAIL_VERIFIED,
        actor=actor_for(privacy_officer),
        details=verify(checkpoint='{"seq": 1, "hash": "00"}'),
    )
    PendingKeyOperation.objects.create(
        member_id=10_001, kind=PendingKeyOperation.Kind.DESTROY, since=timezone.now()
    )


REPORTS = {
    "overview": "個人情報の取扱いの概況",
    "access": "個人データへのアクセスの点検",
    "events": "監査イベントの一覧",
    "trail": "監査証跡の検証",
    "scopes": "取扱担当者とその取り扱う個人データの範囲",
}


@pytest.mark.parametrize("screen", SCREENS)
def test_the_auditor_reads_every_report_on_one_day_of_data(
    screen,
    chromium,
    live_server,
    auditor,
    handler_kenshin,
    privacy_officer,
    kenshin_and_receipt,
    screenshots,
    client,
):
    from safeguards.testing import sign_in_verified

    width, height = SCREENS[screen]
    _seed_a_day_of_work(handler_kenshin, privacy_officer)
    sign_in_verified(client, auditor)
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page = context.new_page()

    for name, title in REPORTS.items():
        page.goto(live_server.url + reverse(f"reports:{name}"))
        assert page.get_by_role("heading", level=1).inner_text() == title
        page.screenshot(path=screenshots / f"auditor-{screen}-report-{name}.png", full_page=True)
        text = page.locator("main").inner_text()
        for code in ("purposes.", "records.access", "reason=", "surface=", "…"):
            assert code not in text, (name, code)
        # The page never scrolls sideways: a wide table scrolls in its own box.
        fits(page)
        # Every chart's text is drawn at a readable size.
        sizes = page.evaluate(
            "[...document.querySelectorAll('.chart text, .bar-label, .bar-value')]"
            ".map(t => t.getBoundingClientRect().height)"
        )
        assert min(sizes, default=12) >= 11, (name, sizes)
        assert sizes or name == "events"  # the one report without a chart

    page.goto(live_server.url + reverse("reports:trail"))
    first = page.locator("main > *").first
    assert first.get_attribute("role") == "alert"
    assert "異常が見つかりました" in first.inner_text()
    assert_on_screen(first, width, height)
    # A one-day trend draws its day.
    expect(page.locator("svg.chart-line circle")).to_have_count(1)
    expect(page.locator("svg.chart-line .chart-stem")).to_have_count(1)
    # The key operation still pending, counted: which, how many, since when.
    pending = page.locator("section", has_text="消去の後のデータ鍵の処理（未完了）")
    expect(pending.locator("tbody th")).to_have_text("破棄")
    expect(pending.locator("tbody td").first).to_have_text("1")
    page.goto(live_server.url + reverse("reports:events"))
    table = page.locator(".table-scroll").first
    assert table.bounding_box()["width"] <= width
    assert "理由：利用目的の指定なし" in page.locator("main").inner_text()
