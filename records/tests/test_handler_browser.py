"""The 担当者's day in Chromium, at a desktop's and a phone's width: sign in, choose the
purpose, find a member by kana and by number, read the member, open a record, edit it field
by field, save, and export the list as CSV for Excel.

Screenshots of each step are kept in var/screenshots/ (`screenshots` fixture).
"""

import csv
import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from records.models import Record
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory
from safeguards.testing import current_token, enrol_device

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

PASSWORD = "correct horse battery staple"
SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def handler_with_device(handler_kenshin, register):
    handler_kenshin.set_password(PASSWORD)
    handler_kenshin.save()
    member = MemberFactory(
        symbol="5001", number="1", branch="00", name="鈴木一郎", name_kana="スズキ イチロウ"
    )
    for number in ("11", "104"):  # numbers that sort wrongly as text
        other = MemberFactory(
            symbol="5001", number=number, branch="00", name="佐藤花子", name_kana="サトウ ハナコ"
        )
        RecordFactory(member=other, category=register["health-checks"], title="特定健診2025")
    RecordFactory(
        member=member,
        category=register["health-checks"],
        title="特定健診2025",
        payload=EXAMPLE_PAYLOADS["health-checks"],
    )
    hidden = RecordFactory(category=register["receipts"], title="外来レセプト秘匿")
    return handler_kenshin, enrol_device(handler_kenshin), member, hidden


@pytest.mark.parametrize("screen", SCREENS)
def test_the_handler_finds_reads_edits_and_exports_a_record(
    screen, chromium, live_server, handler_with_device, screenshots
):
    width, height = SCREENS[screen]
    user, device, member, hidden = handler_with_device
    context = chromium.new_context(
        viewport={"width": width, "height": height}, locale="ja-JP", accept_downloads=True
    )
    page = context.new_page()

    def shot(step: str):
        page.screenshot(path=screenshots / f"handler-{screen}-{step}.png", full_page=True)

    page.goto(live_server.url + reverse("safeguards:sign_in"))
    page.get_by_label("ユーザー名").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("確認コード").fill(current_token(device))
    with page.expect_navigation():
        page.get_by_role("button", name="サインイン").click()

    page.goto(live_server.url + reverse("admin:records_purpose"))
    expect(page.get_by_text("健康診査に関する情報").first).to_be_visible()  # the group's name
    page.get_by_label("未受診者への受診勧奨").first.check()
    shot("1-purpose")
    with page.expect_navigation():
        page.get_by_role("button", name="選択する").click()

    page.goto(live_server.url + reverse("admin:records_member_changelist"))
    rows = page.locator("#result_list tbody tr th a")
    assert rows.all_inner_texts()[:3] == ["5001-1-00", "5001-11-00", "5001-104-00"]
    for term in ("すずき", "ｽｽﾞｷ", "５００１－１－００"):
        page.locator("#searchbar").fill(term)
        with page.expect_navigation():
            page.locator("#searchbar").press("Enter")
        assert rows.all_inner_texts() == ["5001-1-00"], term
    shot("2-search")
    rows.first.click()

    page.get_by_role("heading", name="5001-1-00 鈴木一郎").wait_for()
    expect(page.locator("input[name=name_kana]")).to_have_count(0)  # reads first
    expect(page.get_by_role("link", name="編集")).to_be_visible()
    expect(page.get_by_text("健康診査に関する情報").first).to_be_visible()
    shot("3-member")
    page.get_by_role("link", name="特定健診2025").click()
    page.get_by_label("収縮期血圧").wait_for()

    assert "健康診査に関する情報の記録" in page.title()
    assert "鈴木一郎" in page.title()
    page.get_by_label("収縮期血圧").fill("abc")
    page.get_by_role("button", name="保存", exact=True).click()
    page.locator(".errorlist", has_text="「収縮期血圧」は整数で入力してください。").wait_for()
    shot("4-error")
    page.get_by_label("収縮期血圧").fill("１４２")
    page.get_by_label("喫煙").select_option("はい")
    shot("5-record")
    page.get_by_role("button", name="保存", exact=True).click()
    page.locator(".messagelist .success").wait_for()
    record = Record.objects.get(member=member)
    assert (record.payload["systolic_bp"], record.payload["smoker"]) == (142, True)

    page.locator("#searchbar").fill("5001-1")
    with page.expect_navigation():
        page.locator("#searchbar").press("Enter")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("export_csv")
    shot("6-export")
    with page.expect_download() as download:
        page.get_by_role("button", name="実行").click()
    body = download.value.path().read_bytes()
    assert download.value.suggested_filename == "記録.csv"
    assert body.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    shown = dict(zip(header, row, strict=True))
    assert (shown["類型"], shown["収縮期血圧"], shown["喫煙"]) == (
        "健康診査に関する情報",
        "142",
        "はい",
    )

    page.goto(live_server.url + reverse("admin:records_record_change", args=[hidden.pk]))
    warning = page.locator(".messagelist .warning")
    assert "あなたの担当外のため表示できません" in warning.inner_text()
    assert "削除された" not in page.content() and "外来レセプト秘匿" not in page.content()
    shot("7-out-of-scope")
    context.close()
