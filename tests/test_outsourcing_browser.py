"""The privacy officer in Chromium registers a processor (委託先, Art. 25) with its audit, a joint
use (共同利用) that they publish before it begins (Art. 27(5)(iii)) and the society's own fields
(Art. 32(1)); a person then reads them on /privacy/, and the 監事's pages show the processors
and the 個人番号 categories; at a desktop's and a phone's width, with screenshots."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from purposes.outsourcing import JointUse, Processor, SocietyProfile
from safeguards.testing import current_token, enrol_device
from tests.browser import fits

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

PASSWORD = "correct horse battery staple"
SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.mark.parametrize("screen", SCREENS)
def test_art25_art27_5_3_art32_1_the_officer_registers_and_the_public_reads(
    screen, chromium, live_server, register, privacy_officer, screenshots
):
    width, height = SCREENS[screen]
    privacy_officer.set_password(PASSWORD)
    privacy_officer.save()
    device = enrol_device(privacy_officer)
    page = chromium.new_context(
        viewport={"width": width, "height": height}, locale="ja-JP"
    ).new_page()

    def shot(step: str):
        page.screenshot(path=screenshots / f"outsourcing-{screen}-{step}.png", full_page=True)

    page.goto(live_server.url + reverse("safeguards:sign_in"))
    page.get_by_label("ユーザー名").fill(privacy_officer.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("確認コード").fill(current_token(device))
    page.get_by_role("button", name="サインイン").click()

    # A processor, first with a mistake: a subcontractor where subcontracting is refused.
    page.goto(live_server.url + reverse("admin:purposes_processor_add"))
    page.get_by_label("名称").fill("芝健診センター")
    page.get_by_label("種別").select_option(label="健診機関")
    page.get_by_label("委託する業務").fill("特定健康診査の実施")
    page.get_by_label("取り扱わせる個人データの項目").fill("氏名、記号・番号、健診結果")
    page.get_by_label("健康診査に関する情報").check()
    page.get_by_label("契約開始日").fill("2026-04-01")
    page.get_by_label("安全管理措置の確認日").fill("2026-03-15")
    page.locator("#id_subcontracting").select_option(label="認めない")
    page.locator("#id_subcontractors").fill("株式会社B")
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("再委託を認めない委託先に再委託先は登録できません").wait_for()
    shot("1-processor-refused")
    page.locator("#id_subcontractors").fill("")
    page.locator(".add-row a").click()
    page.locator("#id_audits-0-audited_on").fill("2026-10-01")
    page.locator("#id_audits-0-method").select_option(label="実地監査")
    page.locator("#id_audits-0-findings").fill("入退室記録の一部欠落")
    page.get_by_role("button", name="保存", exact=True).click()
    assert Processor.objects.get().audits.count() == 1
    shot("2-processors")

    # A joint use beginning next month, published today.
    page.goto(live_server.url + reverse("admin:purposes_jointuse_add"))
    page.locator("#id_title").fill("加入事業所との共同利用")
    page.locator("#id_items").fill("特定健診のリスク区分")
    page.locator("#id_users").fill("当組合と加入事業所")
    page.locator("#id_purpose").fill("事業主と共同で行う健康づくり")
    page.locator("#id_responsible_name").fill("日本赤十字社健康保険組合")
    page.locator("#id_responsible_address").fill("東京都港区芝大門1-1-3")
    page.locator("#id_responsible_representative").fill("理事長 山田一郎")
    page.get_by_label("健康診査に関する情報").check()
    starts = timezone.localdate() + datetime.timedelta(days=30)
    page.locator("#id_starts_on").fill(starts.isoformat())
    page.get_by_role("button", name="保存", exact=True).click()
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option(value="publish")
    page.get_by_role("button", name="実行").click()
    page.get_by_text("公表事項（/privacy/）に掲載しました").wait_for()
    assert JointUse.objects.get().published_on == timezone.localdate()
    shot("3-joint-use-published")

    page.goto(live_server.url + reverse("admin:purposes_societyprofile_add"))
    page.locator("#id_address").fill("〒105-0012 東京都港区芝大門1-1-3")
    page.locator("#id_representative_name").fill("山田一郎")
    page.locator("#id_fee_payment").fill("郵便定額小為替を同封してください。")
    page.get_by_role("button", name="保存", exact=True).click()
    assert SocietyProfile.objects.get().representative_name == "山田一郎"

    # What a person reads, signed in or not.
    page.goto(live_server.url + "/privacy/")
    for heading in (
        "当組合の名称・住所・代表者",
        "個人データの取扱いの委託",
        "個人データの共同利用",
        "外的環境の把握",
        "手数料の額と支払方法",
    ):
        page.get_by_role("heading", name=heading).wait_for()
    page.get_by_text("理事長 山田一郎").first.wait_for()
    page.get_by_role("heading", name="加入事業所との共同利用").wait_for()
    fits(page)
    shot("4-privacy")

    for report, heading in (
        ("reports:processors", "委託先の監督と共同利用"),
        ("reports:my_number", "個人番号を含む類型の取扱い"),
    ):
        page.goto(live_server.url + reverse(report))
        assert page.get_by_role("heading", level=1).inner_text() == heading
        fits(page)
        shot(f"5-{report.split(':')[1]}")
