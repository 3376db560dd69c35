"""The public form in headless Chromium: bad input answered in place, full-width accepted."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from complaints.models import Complaint

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]


@pytest.fixture
def page(browser_context, live_server):
    page = browser_context.new_page()
    page.goto(live_server.url + reverse("complaints:new"))
    return page


def test_it_points_to_each_mistake_and_keeps_what_was_typed(page):
    page.get_by_label("どのようなことがありましたか").fill("説明の文章")
    page.get_by_label("保険証の番号").fill("４ａ")
    page.get_by_role("button", name="入力内容を確認する").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert summary.get_by_role("link").count() >= 3  # name, a way to reply, the number
    number = page.get_by_label("保険証の番号")
    assert number.get_attribute("aria-invalid") == "true"
    assert "error" in number.get_attribute("aria-describedby")
    assert page.get_by_label("どのようなことがありましたか").input_value() == "説明の文章"
    assert not Complaint.objects.exists()


def test_it_takes_full_width_input_through_to_a_receipt(page):
    page.get_by_label("氏名").fill("山田　花子")
    page.get_by_label("メールアドレス").fill("ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ")
    page.get_by_label("電話番号").fill("０３－１２３４－５６７８")
    page.get_by_label("個人情報の取扱い").check()
    page.get_by_label("どのようなことがありましたか").fill("通知が届かない。")
    page.get_by_role("button", name="入力内容を確認する").click()
    expect(page.get_by_text("hanako@example.jp")).to_be_visible()
    page.get_by_role("button", name="送信する").click()

    receipt = page.locator("#receipt-number").inner_text()
    complaint = Complaint.objects.get()
    assert receipt == complaint.receipt_number
    assert (complaint.email, complaint.phone) == ("hanako@example.jp", "03-1234-5678")
