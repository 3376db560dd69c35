"""The 保護措置 banner on a protected member's page in Chromium, at a desktop's and a phone's
width (the MHLW guidance on victims of DV, stalking and child abuse): the handler who reads
the member sees it first, readable without sideways scrolling.

Screenshots are kept in var/screenshots/ (`screenshots` fixture).
"""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from records.models import Protection
from records.services import protection_set
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.testing import current_token, enrol_device
from tests.browser import fits

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

PASSWORD = "correct horse battery staple"
SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.mark.parametrize("screen", SCREENS)
def test_dv_guidance_handler_sees_the_protection_banner(
    screen, chromium, live_server, handler_kenshin, privacy_officer, register, screenshots
):
    handler_kenshin.set_password(PASSWORD)
    handler_kenshin.save()
    device = enrol_device(handler_kenshin)
    member = MemberFactory(name="佐藤美咲", name_kana="サトウ ミサキ")
    RecordFactory(member=member, category=register["health-checks"], title="特定健診2025")
    protection_set(
        member=member,
        basis=Protection.Basis.STALKING,
        since=datetime.date(2026, 4, 1),
        persons="元交際相手 山本",
        by=privacy_officer,
    )
    width, height = SCREENS[screen]
    page = chromium.new_context(
        viewport={"width": width, "height": height}, locale="ja-JP"
    ).new_page()
    page.goto(live_server.url + reverse("safeguards:sign_in"))
    page.get_by_label("ユーザー名").fill(handler_kenshin.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("確認コード").fill(current_token(device))
    with page.expect_navigation():
        page.get_by_role("button", name="サインイン").click()
    page.goto(live_server.url + reverse("admin:records_purpose"))
    page.get_by_label("未受診者への受診勧奨").first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="選択する").click()

    page.goto(live_server.url + reverse("admin:records_member_change", args=[member.pk]))
    banner = page.get_by_role("alert").filter(has_text="保護措置あり")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("ストーカー行為等、2026年4月1日から")
    expect(banner).to_contain_text("開示・送付しません")
    expect(page.get_by_text("山本")).to_have_count(0)
    fits(page)
    page.screenshot(path=screenshots / f"protection-{screen}-banner.png", full_page=True)


@pytest.mark.parametrize("screen", SCREENS)
def test_dv_guidance_the_officer_sets_a_protection_by_role(
    screen, chromium, live_server, bare_officer, register, screenshots
):
    """The officer, with no category and no purpose, finds the register in the menu and sets a
    protection by the member's 記号-番号-枝番 (`gate.open_protections`)."""
    bare_officer.set_password(PASSWORD)
    bare_officer.save()
    device = enrol_device(bare_officer)
    member = MemberFactory(symbol="7007", number="3", branch="01", name="佐藤美咲")
    width, height = SCREENS[screen]
    page = chromium.new_context(
        viewport={"width": width, "height": height}, locale="ja-JP"
    ).new_page()
    page.goto(live_server.url + reverse("safeguards:sign_in"))
    page.get_by_label("ユーザー名").fill(bare_officer.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("確認コード").fill(current_token(device))
    with page.expect_navigation():
        page.get_by_role("button", name="サインイン").click()

    page.goto(live_server.url + reverse("admin:records_protection_add"))
    page.get_by_label("記号-番号-枝番").fill("７００７－３－０１")
    page.get_by_label("根拠").select_option(label="配偶者等からの暴力（DV）")
    page.get_by_label("開始日").fill("2026-04-01")
    page.get_by_label("開示・送付をしない相手").fill("夫 佐藤剛")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()

    expect(page.get_by_role("link", name="7007-3-01")).to_be_visible()
    fits(page)
    page.screenshot(path=screenshots / f"protection-{screen}-officer.png", full_page=True)
    assert Protection.objects.get().member == member
