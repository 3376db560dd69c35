"""The consent register in Chromium, at a desktop's and a phone's width: staff with the
permission record an opt-out (refused first without the purpose it leaves), then read it on
the member's page. Screenshots in var/screenshots/ (`screenshots` fixture)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from playwright.sync_api import expect

from records.models import Consent
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.testing import current_token, enrol_device
from tests.browser import fits

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

PASSWORD = "correct horse battery staple"
SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def registrar(handler_receipt, register):
    handler_receipt.set_password(PASSWORD)
    handler_receipt.save()
    codenames = ("view_consent", "add_consent", "withdraw_consent")
    handler_receipt.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    member = MemberFactory(name="鈴木花子", name_kana="スズキ ハナコ")
    RecordFactory(member=member, category=register["receipts"], title="外来レセプト")
    return handler_receipt, enrol_device(handler_receipt), member


@pytest.mark.parametrize("screen", SCREENS)
def test_guidance_an_opt_out_is_recorded_and_shown_on_the_members_page(
    screen, chromium, live_server, registrar, screenshots
):
    width, height = SCREENS[screen]
    user, device, member = registrar
    page = chromium.new_context(
        viewport={"width": width, "height": height}, locale="ja-JP"
    ).new_page()

    def shot(step: str):
        page.screenshot(path=screenshots / f"consent-{screen}-{step}.png", full_page=True)

    page.goto(live_server.url + reverse("safeguards:sign_in"))
    page.get_by_label("ユーザー名").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("確認コード").fill(current_token(device))
    with page.expect_navigation():
        page.get_by_role("button", name="サインイン").click()
    page.goto(live_server.url + reverse("admin:records_purpose"))
    page.get_by_label("医療費通知の発行").first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="選択する").click()

    page.goto(live_server.url + reverse("admin:records_consent_add") + f"?member={member.pk}")
    page.get_by_label("種別").select_option(label="不同意の申出（黙示の同意からの除外）")
    page.get_by_label("方法").select_option(label="書面")
    page.get_by_label("同意日・申出日").fill("2026-04-01")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("不同意の申出には、除外する利用目的を選んでください。")).to_be_visible()
    shot("1-refused")
    assert not Consent.objects.exists()

    page.get_by_label("利用目的").select_option(label="医療費通知の発行")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    assert Consent.objects.get().purpose.code == "medical-expense-notice"

    page.goto(live_server.url + reverse("admin:records_member_change", args=[member.pk]))
    table = page.locator("table.member-consents")
    expect(table).to_contain_text("不同意の申出（黙示の同意からの除外）")
    expect(table).to_contain_text("医療費通知の発行")
    shot("2-member")
    fits(page)
