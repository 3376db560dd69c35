"""A member's public side in Chromium, at a desktop's and a phone's width: a 本人 files a 開示
request in two steps (本人 and 開示 first, then a page with only the fields they need: a short
page on a phone), typing the birth date and phone number as people write them (S55.1.2,
03(1234)5678), sees them in 和暦 on the confirmation, goes back and finds what they typed,
and gets a receipt with the due date, the next step and a 印刷 button;
a person finds the complaints form from /privacy/, files a complaint and opens its status by
the link on the receipt, due dates in 和暦.

Screenshots of each step are kept in var/screenshots/ (`screenshots` fixture).
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from complaints.models import Complaint
from core.wareki import format_wareki
from disclosure.models import Request
from disclosure.tests.conftest import JPEG
from purposes.loader import load_register
from safeguards.roles import Role
from tests.browser import fits, settled

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def published(transactional_db):
    # A flushed database has lost the rows of data migrations: the roles' groups.
    for role in Role:
        Group.objects.get_or_create(name=role)
    load_register()


def open_page(chromium, screen):
    width, height = SCREENS[screen]
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    return context.new_page()


@pytest.mark.parametrize("screen", SCREENS)
def test_a_member_files_a_disclosure_request_typed_as_people_write(
    screen, chromium, live_server, published, screenshots
):
    page = open_page(chromium, screen)

    def shot(step: str):
        page.screenshot(path=screenshots / f"member-{screen}-request-{step}.png", full_page=True)

    page.goto(live_server.url + reverse("disclosure:new"))
    # The first step: who files and what they ask for; nothing personal yet.
    expect(page.locator("#id_name")).to_have_count(0)
    page.get_by_label("本人", exact=True).check()
    page.get_by_label("開示", exact=True).check()
    shot("0-choose")
    page.get_by_role("button", name="次へ（入力画面へ）").click()
    expect(settled(page).locator("#id_name")).to_be_visible()
    # Only what a 本人 asking 開示 needs: no agent, correction, grounds or category fields.
    # On main before the two steps the one page was 5,910 px high at 390 px (5,611 at 1280).
    for absent in ("agent_name", "correction_item_1", "grounds", "categories_0", "period_from"):
        assert page.locator(f"#id_{absent}").count() == 0, absent
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"request form page height at {screen}: {height} px")
    assert height < 5910 / 2
    typed = {
        "member_symbol": "１００１",
        "member_number": "２３",
        "member_branch": "０１",
        "name": "山田　花子",
        "name_kana": "やまだ　はなこ",
        "birth_date": "S55.1.2",
        "postal_code": "１００－０００１",
        "address": "東京都千代田区千代田１－１",
        "phone": "03(1234)5678",
    }
    for name, value in typed.items():
        page.locator(f"#id_{name}").fill(value)
    page.get_by_label("電子データ（ダウンロード）").check()
    page.locator("#id_identity_document").set_input_files(
        {"name": "licence.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    fits(page)
    shot("1-form")
    page.get_by_role("button", name="入力内容を確認する").click()

    summary = page.locator("table.summary").inner_text()
    assert "昭和55年1月2日" in summary and "03-1234-5678" in summary
    fits(page)
    shot("2-confirm")
    # Back to the form: what was typed is there, the document kept; then confirmed again.
    page.get_by_role("button", name="入力画面に戻って修正する").click()
    assert page.locator("#id_name").input_value() == "山田　花子"
    assert page.locator("#id_birth_date").input_value() == "S55.1.2"
    expect(page.locator("p.kept")).to_be_visible()
    page.get_by_role("button", name="入力内容を確認する").click()
    page.get_by_role("button", name="この内容で請求する").click()

    filed = Request.objects.get()
    assert page.locator("#receipt-number").inner_text() == filed.receipt_number
    assert page.locator("#due-on").inner_text() == format_wareki(filed.due_on)
    expect(page.get_by_role("heading", name="このあとの流れ")).to_be_visible()
    fits(page)
    expect(page.get_by_role("button", name="このページを印刷する")).to_be_visible()
    shot("3-receipt")
    # Printed, the receipt keeps the number, the link and the due date, without the site's
    # header (the print stylesheet, no script).
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    assert page.locator("#status-url").is_visible() and page.locator("#due-on").is_visible()
    expect(page.get_by_role("button", name="このページを印刷する")).to_be_hidden()
    shot("4-receipt-printed")


@pytest.mark.parametrize("screen", SCREENS)
def test_a_person_finds_the_complaints_form_files_and_opens_the_status_by_link(
    screen, chromium, live_server, published, screenshots
):
    page = open_page(chromium, screen)

    def shot(step: str):
        page.screenshot(path=screenshots / f"member-{screen}-complaint-{step}.png", full_page=True)

    page.goto(live_server.url + "/privacy/")
    page.get_by_role("link", name="苦情・相談をウェブで申し出る").click()
    assert page.url.endswith(reverse("complaints:new"))
    page.get_by_label("氏名").fill("山田　花子")
    page.get_by_label("電話番号").fill("（０３）１２３４－５６７８")
    page.get_by_label("個人情報の取扱い").check()
    page.get_by_label("どのようなことがありましたか").fill("健診の結果が届きません。")
    shot("1-form")
    page.get_by_role("button", name="入力内容を確認する").click()
    expect(page.get_by_text("03-1234-5678")).to_be_visible()
    shot("2-confirm")
    page.get_by_role("button", name="送信する").click()

    complaint = Complaint.objects.get()
    assert page.locator("#answer-due").inner_text() == format_wareki(complaint.answer_due)
    expect(page.get_by_role("button", name="このページを印刷する")).to_be_visible()
    shot("3-receipt")
    # The link on the receipt opens the status page: nothing to type.
    page.locator("#status-url").click()
    assert page.locator("#complaint-state").inner_text() == "受付"
    assert page.locator("#answer-due").inner_text() == format_wareki(complaint.answer_due)
    assert page.locator("#first-response-due").inner_text() == format_wareki(
        complaint.first_response_due
    )
    assert "?t=" not in page.url  # the token is out of the address once the page is open
    fits(page)
    shot("4-status")
