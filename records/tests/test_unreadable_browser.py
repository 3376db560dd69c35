"""Issue 16: what a handler sees, in Chromium at a desktop's 1,280 × 800 and a phone's 390 × 844,
when the key store has lost a member's data key: the list names the record as unreadable, its
page says why in Japanese and offers no save, and the other member's record reads as before.

Screenshots are kept in var/screenshots/ (`screenshots` fixture).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from records import keystore
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory
from tests.browser import fits

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}
UNREADABLE = "（暗号化された記録：読めません）"
LOST = "データ鍵が鍵保管庫にないため読めません"
SECRET = "失われた鍵クリニック"


@pytest.fixture
def lost_key(register):
    """Two members' health checks; the key store has lost the first member's data key."""
    checkup = register["health-checks"]
    payload = EXAMPLE_PAYLOADS["health-checks"]
    lost = RecordFactory(
        member=MemberFactory(name="鍵失子"),
        category=checkup,
        title="特定健診（鍵なし）",
        payload={**payload, "facility": SECRET},
    )
    RecordFactory(member=MemberFactory(name="鍵有子"), category=checkup, title="特定健診2025")
    keystore.destroy([lost.member_id])
    return lost


@pytest.mark.parametrize("screen", SCREENS)
def test_a_record_whose_key_is_lost_says_so_in_japanese_not_a_traceback(
    screen, chromium, live_server, sign_in, handler_kenshin, lost_key, screenshots
):
    width, height = SCREENS[screen]
    client = sign_in(handler_kenshin)
    client.post(reverse("admin:records_purpose"), {"purpose": "checkup-reminder"})
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()

    page.goto(live_server.url + reverse("admin:records_record_changelist"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=UNREADABLE)).to_have_count(1)
    expect(rows.filter(has_text="特定健診2025")).to_have_count(1)
    page.screenshot(path=screenshots / f"unreadable-{screen}-1-list.png", full_page=True)

    with page.expect_navigation():
        rows.filter(has_text=UNREADABLE).get_by_role("link").first.click()

    expect(page.get_by_text(LOST)).to_be_visible()
    expect(page.get_by_text("加入者が消去されたか、鍵保管庫が失われました")).to_be_visible()
    expect(page.get_by_role("button", name="保存")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    expect(page.get_by_text(SECRET)).to_have_count(0)
    page.screenshot(path=screenshots / f"unreadable-{screen}-2-record.png", full_page=True)
    # The message fits the screen: no sideways scrolling to read it.
    fits(page)
    context.close()
