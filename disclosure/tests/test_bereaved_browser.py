"""The officer's walk with a 遺族 開示依頼 (the MHLW notice), in Chromium at desktop width: the
deceased matched, the institution not consulted for want of consent, each receipt decided,
the package carried out, the letters listed to post to the bereaved."""

import datetime

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from disclosure import letters
from disclosure.models import IdentityDocument, Letter, Request
from records.services import member_update
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.models import Approval
from safeguards.testing import second_officer_approves
from tests.browser import fits, moved

from .factories import RequestFactory
from .test_officer_browser import SHOTS, licence_png, roles  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]
State = Request.State


@pytest.fixture
def filed(roles, register, superuser):  # noqa: F811
    member = MemberFactory(
        symbol="4004", number="12", branch="00", name="鈴木一郎", name_kana="スズキ イチロウ"
    )
    member.birth_date = RequestFactory.birth_date
    member.save()
    member_update(member=member, by=superuser, died_on=datetime.date(2026, 1, 15))
    for title in ("入院（内科）", "外来（整形外科）"):
        RecordFactory(member=member, category=register["receipts"], title=title)
    RecordFactory(member=member, category=register["health-checks"], title="特定健診2025")
    request = RequestFactory(
        member_symbol="4004",
        member_number="12",
        name="鈴木一郎",
        name_kana="スズキイチロウ",
        bereaved_relationship=Request.Bereaved.SPOUSE,
        bereaved_name="鈴木花子",
        bereaved_name_kana="スズキ ハナコ",
        address="東京都港区虎ノ門1-1",
        institution_consent=False,
        channel=Request.Channel.COUNTER,
        method=Request.Method.POST,
    )
    png = licence_png()
    for role in (IdentityDocument.Role.IDENTITY, IdentityDocument.Role.BEREAVEMENT):
        document = IdentityDocument(
            request=request, role=role, content_type="image/png", size=len(png), sha256="0" * 64
        )
        document.file.save(f"{role}.png", ContentFile(png))
    letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    return request


def test_mhlw_the_officer_answers_a_bereaved_spouse_without_consent(
    filed, bare_officer, live_server, browser_context, sign_in
):
    client = sign_in(bare_officer)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name):
        page.screenshot(path=SHOTS / f"bereaved-{name}.png", full_page=True)

    def press(label):
        page.get_by_role("button", name=label, exact=True).click()

    def run():
        page.get_by_role("button", name="実行する").click()
        moved(page)

    page.goto(live_server.url + f"/admin/disclosure/request/{filed.pk}/change/")
    case = page.locator("#content").inner_text()
    assert "遺族への診療報酬明細書等の開示" in case and "鈴木花子" in case
    shot("1-case-file")
    press("本人確認を始める")
    run()
    press("本人確認：加入者と照合して審査に進む")
    assert "死亡日 令和8年1月15日" in page.locator("#content").inner_text()
    shot("2-match")
    fits(page)
    run()

    # No consent: the institution is not asked, and the step says so.
    press("医療機関への照会を記録する")
    page.get_by_label("医療機関").fill("港中央病院")
    page.locator("input[name=receipts]").first.check()
    page.get_by_label("照会日").fill("令和8年2月2日")
    page.get_by_role("button", name="実行する").click()
    assert "同意していないため、医療機関には照会しません" in page.locator("body").inner_text()
    shot("3-consultation-refused")
    assert not filed.consultations.exists()

    page.goto(live_server.url + f"/admin/disclosure/request/{filed.pk}/change/")
    press("決定する")
    rows = page.locator(".decision-row")
    expect(rows).to_have_count(2)  # one per receipt, the health check not among them
    assert "特定健診" not in page.locator("#content").inner_text()
    second = rows.nth(1)
    second.get_by_label("開示しない", exact=True).check()
    second.get_by_label("開示しない根拠").select_option("bereaved")
    second.get_by_label("理由").fill("故人の生前の意思に反するおそれがあるため。")
    shot("4-decision")
    fits(page)
    run()

    second_officer_approves(Approval.Kind.PACKAGE_RELEASE, filed)  # 要配慮個人情報
    press("決定を実施する")
    run()
    filed.refresh_from_db()
    assert filed.state == State.CARRIED_OUT and filed.outcome == Request.Outcome.PARTIAL
    page.get_by_role("link", name="通知書の一覧").click()
    listed = page.locator(".case-letters").inner_text()
    for kind in ("受付のお知らせ", "決定通知書", "実施完了のお知らせ"):
        assert kind in listed
    assert "東京都港区虎ノ門1-1" in listed
    shot("5-letters")


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_mhlw_the_bereaved_choose_their_route_on_the_first_step(
    width,
    height,
    register,
    browser_context,
    live_server,
):
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/requests/new/")
    page.get_by_label("本人", exact=True).check()
    page.get_by_label(
        "亡くなった加入者の診療報酬明細書等（レセプト）の開示を、遺族として依頼する"
    ).check()
    page.get_by_role("button", name="次へ（入力画面へ）").click()
    assert "手順 2／2" in page.locator("body").inner_text()
    expect(page.get_by_role("group", name="亡くなった加入者", exact=True)).to_be_visible()
    expect(page.get_by_label("死亡の事実と続柄を証する書類")).to_be_visible()
    expect(page.get_by_label("医療機関に請求者の氏名等を伝えることに同意する")).to_be_visible()
    expect(page.locator("input[name=categories]")).to_have_count(0)
    page.screenshot(path=SHOTS / f"bereaved-form-{width}.png", full_page=True)
    fits(page)
