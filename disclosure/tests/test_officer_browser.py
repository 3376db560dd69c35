"""The privacy officer's day with a request, in Chromium, at a desktop's 1,280 × 800 and a
phone's 390 × 844: matched with the identity document in view, two receipts consulted in one
form, decided one row per requested item, carried out, and the letters listed to post.

The officer holds no scope: the request is answered on its own statutory access. Each step
leaves a screenshot in var/screenshots/ (gitignored) for a person to look at.
"""

import datetime
import io
import pathlib
import re
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from disclosure import letters
from disclosure.models import IdentityDocument, Kind, Letter, Request
from purposes.register import purposes_for
from records.models import Record
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory
from safeguards.models import Approval
from safeguards.roles import Role
from safeguards.testing import second_officer_approves
from tests.browser import fits, moved
from tests.pdf import pdf_words

from .factories import TOKEN, RequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]
SHOTS = pathlib.Path(__file__).resolve().parents[2] / "var" / "screenshots"
State = Request.State


@pytest.fixture
def roles(transactional_db):
    # A flushed database has lost the rows of data migrations: the roles' groups.
    for role in Role:
        Group.objects.get_or_create(name=role)


def licence_png() -> bytes:
    """A picture of an identity card, as a scan would be: an image the browser can draw."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 300), "#e8f0e8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 280), outline="#336633", width=4)
    draw.rectangle((340, 60, 440, 200), fill="#99aa99")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def filed(roles, register):
    member = MemberFactory(
        symbol="1001", number="1", branch="00", name="山田花子", name_kana="ヤマダハナコ"
    )
    member.birth_date = RequestFactory.birth_date
    member.save()
    RecordFactory(
        member=member,
        category=register["health-checks"],
        title="特定健診2025",
        payload=EXAMPLE_PAYLOADS["health-checks"],
    )
    for title in ("外来（内科）", "外来（整形外科）"):
        RecordFactory(member=member, category=register["receipts"], title=title)
    request = RequestFactory(
        kinds=[Kind.PURPOSE_NOTICE, Kind.DISCLOSURE], channel=Request.Channel.POST
    )
    document = IdentityDocument(
        request=request, role=IdentityDocument.Role.IDENTITY, content_type="image/png"
    )
    png = licence_png()
    document.size, document.sha256 = len(png), "0" * 64
    document.file.save("licence.png", ContentFile(png))
    letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    return request


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_the_officer_answers_a_request_by_post(
    width, height, filed, bare_officer, live_server, browser_context, sign_in
):
    client = sign_in(bare_officer)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name):
        page.screenshot(path=SHOTS / f"officer-{width}-{name}.png", full_page=True)

    def press(label):
        page.get_by_role("button", name=label, exact=True).click()

    def run():
        page.get_by_role("button", name="実行する").click()
        moved(page)

    page.goto(live_server.url + "/admin/disclosure/request/")
    shot("1-worklist")
    assert "利用目的の通知・開示" in page.locator("#result_list").inner_text()
    page.get_by_role("link", name=filed.receipt_number).click()
    shot("2-case-file")

    press("本人確認を始める")
    run()
    press("本人確認：加入者と照合して審査に進む")
    # The identity document is in view, drawn, on the page where the identity is checked.
    picture = page.locator(".identity-documents img")
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth)") == 480
    shot("3-identity-check")
    fits(page)
    run()

    press("医療機関への照会を記録する")
    page.get_by_label("医療機関").fill("千代田病院")
    boxes = page.locator("input[name=receipts]")
    expect(boxes).to_have_count(2)
    for n in range(2):
        boxes.nth(n).check()
    page.get_by_label("照会日").fill("令和8年4月2日")
    page.get_by_label("回答日").fill("令和8年4月9日")
    page.get_by_label("診療上の支障").select_option("false")
    shot("4-consultation")
    fits(page)
    run()

    press("決定する")
    expect(page.locator(".decision-row")).to_have_count(2)  # 利用目的の通知, 開示: nothing more
    # One field of the health check withheld (Art. 33(2)), with its ground and reason.
    checkup = next(r for r in Record.objects.all() if r.title == "特定健診2025")
    page.locator("#id_withheld-0-target").select_option(f"r:{checkup.pk}")
    page.locator("#id_withheld-0-field").select_option("facility")
    page.locator("#id_withheld-0-ground").select_option("business")
    page.locator("#id_withheld-0-reason").fill("健診機関との契約上、開示を控えるため。")
    shot("5-decision")
    fits(page)
    run()

    second_officer_approves(Approval.Kind.PACKAGE_RELEASE, filed)  # 要配慮個人情報
    press("決定を実施する")
    run()
    shot("6-carried-out")
    filed.refresh_from_db()
    assert filed.state == State.CARRIED_OUT and filed.consultations.count() == 2
    assert list(filed.items.values_list("kind", "granted", "field")) == [
        (Kind.PURPOSE_NOTICE, True, ""),
        (Kind.DISCLOSURE, True, ""),
        (Kind.DISCLOSURE, False, "facility"),
    ]

    page.get_by_role("link", name="通知書の一覧").click()
    listed = page.locator(".case-letters table").inner_text()
    for kind in ("受付のお知らせ", "決定通知書", "利用目的の通知書", "実施完了のお知らせ"):
        assert kind in listed
    assert "東京都千代田区千代田1-1" in page.locator(".case-letters").inner_text()
    shot("7-letters")
    fits(page)

    # The member receives the package: from the status page, after their birth date, and
    # reads it (Art. 33(1)): Japanese labels, their name and the issuer, no payload keys.
    page.goto(f"{live_server.url}/requests/status/{filed.receipt_number}/?t={TOKEN}")
    page.get_by_label("確認のため、ご本人の生年月日を入力してください").fill("昭和55年1月2日")
    shot("8-status")
    fits(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="ダウンロードする").click()
    archive = zipfile.ZipFile(io.BytesIO(pathlib.Path(download.value.path()).read_bytes()))
    text = pdf_words(archive.read("disclosure.pdf"))
    for shown in ("山田花子様", "氏名山田花子", "健康診査に関する情報（1件）", "特定健診2025"):
        assert shown in text, shown
    assert "受診日：" in text and "examined_on" not in text and "payload" not in text
    # The withheld field is marked with its ground; the institution's name is not there.
    assert "健診機関：［不開示］" in text
    assert "".join(EXAMPLE_PAYLOADS["health-checks"]["facility"].split()) not in text


def test_art35_1_the_officer_erases_one_record_from_the_decision_page(
    filed, bare_officer, live_server, browser_context, sign_in, register
):
    member = next(r for r in Record.objects.all() if r.title == "特定健診2025").member
    # Of fiscal 2019: past the five years 特定健診 is kept (基準第10条), so it may go.
    erased = RecordFactory(
        member=member,
        category=register["health-checks"],
        date=datetime.date(2019, 6, 1),
        title="特定健診2019",
    )
    request = RequestFactory(kinds=[Kind.ERASURE], state=State.REVIEW, member=member)
    client = sign_in(bare_officer)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + f"/admin/disclosure/request/{request.pk}/change/")
    page.get_by_role("button", name="決定する", exact=True).click()
    row = page.locator(".decision-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("消去")
    page.get_by_role("button", name="実行する").click()  # nothing chosen, nothing confirmed
    said = page.locator(".decision-row").inner_text()
    assert "確認の欄にチェックしてください" in said and "請求の事由を選んでください" in said
    row.get_by_label("請求の事由（法第35条）").select_option(label="利用する必要がなくなった")
    row.get_by_label("消去する記録").select_option(
        label="健康診査に関する情報：令和元年6月1日 特定健診2019"
    )
    page.screenshot(path=SHOTS / "officer-erasure-decision.png", full_page=True)
    page.get_by_role("button", name="実行する").click()
    page.get_by_role("button", name="決定を実施する", exact=True).click()
    page.get_by_role("button", name="実行する").click()
    moved(page)
    request.refresh_from_db()
    assert request.state == State.CARRIED_OUT
    assert not Record.objects.filter(pk=erased.pk).exists()
    assert Record.objects.filter(member=member).count() == 3


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_art35_the_officer_chooses_a_case_a_purpose_and_an_alternative_measure(
    width, height, filed, bare_officer, live_server, browser_context, sign_in, register
):
    member = next(r for r in Record.objects.all() if r.title == "特定健診2025").member
    request = RequestFactory(
        kinds=[Kind.SUSPENSION, Kind.THIRD_PARTY_STOP],
        state=State.REVIEW,
        member=member,
        grounds="健診結果を目的外に使われ、提供先で漏えいがあったと聞きました。",
    )
    purpose, other_purpose = purposes_for(
        category_ids=[register["health-checks"].pk], on=timezone.localdate()
    )[:2]
    client = sign_in(bare_officer)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + f"/admin/disclosure/request/{request.pk}/change/")
    page.get_by_role("button", name="決定する", exact=True).click()
    rows = page.locator(".decision-row")
    expect(rows).to_have_count(2)
    suspension, stop = rows.nth(0), rows.nth(1)
    assert "請求の理由：健診結果を目的外に使われ" in suspension.inner_text()

    # 利用停止: granted on Art. 35(1), for 健康診査 and one purpose only.
    suspension.get_by_label("請求の事由（法第35条）").select_option(label="目的外利用（法第18条）")
    suspension.get_by_label("対象の類型").select_option(label="健康診査に関する情報")
    suspension.get_by_label("利用停止する利用目的").select_option(label=purpose.name)
    # 第三者提供の停止: the proviso, first without the measure it needs.
    stop.get_by_label("認めない", exact=True).check()
    stop.get_by_label("請求の事由（法第35条）").select_option(
        label="漏えい等（法第26条第1項本文）が生じた"
    )
    stop.get_by_label("認めない根拠").select_option("difficult")
    stop.get_by_label("理由").fill("提供先の共同利用システムから一人分を除けないため。")
    page.get_by_role("button", name="実行する").click()
    expect(stop.locator(".errorlist")).to_contain_text("代わりにとる措置を書いてください")
    assert request.items.count() == 0

    stop.get_by_label(re.compile("^代替措置")).fill(
        "提供先に当該データを利用しないよう書面で求め、その回答を記録します。"
    )
    # 利用停止 refused for the receipts in the same request, on a row of its own (Art. 35).
    added = page.locator(".added-row")
    expect(added).to_have_count(4)
    refused_receipts = added.nth(0)
    expect(refused_receipts).to_contain_text("利用停止：追加の明細 1")
    refused_receipts.get_by_label("認めない", exact=True).check()
    refused_receipts.get_by_label("対象の類型").select_option(label="レセプトに関する情報")
    refused_receipts.get_by_label("請求の事由（法第35条）").select_option(
        label="目的外利用（法第18条）"
    )
    refused_receipts.get_by_label("認めない根拠").select_option("no_reason")
    refused_receipts.get_by_label("理由").fill("レセプトは公表した利用目的の範囲で使っています。")
    # A third added row of 利用停止: the page is drawn again with what was typed, nothing decided.
    page.get_by_role("button", name="利用停止の行を追加").click()
    expect(added).to_have_count(5)
    assert request.items.count() == 0
    expect(refused_receipts.get_by_label("対象の類型")).to_have_value(str(register["receipts"].pk))
    expect(refused_receipts.get_by_label("認めない", exact=True)).to_be_checked()
    expect(stop.get_by_label(re.compile("^代替措置"))).to_have_value(
        "提供先に当該データを利用しないよう書面で求め、その回答を記録します。"
    )
    third = added.nth(2)
    expect(third).to_contain_text("利用停止：追加の明細 3")
    page.screenshot(path=SHOTS / f"officer-{width}-art35-added-row.png", full_page=True)
    fits(page)
    # 利用停止 of 健康診査 for another purpose refused on it: the letter lists it too.
    third.get_by_label("認めない", exact=True).check()
    third.get_by_label("対象の類型").select_option(label="健康診査に関する情報")
    third.get_by_label("利用停止する利用目的").select_option(label=other_purpose.name)
    third.get_by_label("請求の事由（法第35条）").select_option(label="目的外利用（法第18条）")
    third.get_by_label("認めない根拠").select_option("no_reason")
    third.get_by_label("理由").fill("この利用目的は公表した利用目的の範囲内です。")
    page.screenshot(path=SHOTS / f"officer-{width}-art35-decision.png", full_page=True)
    fits(page)
    page.get_by_role("button", name="実行する").click()
    moved(page)
    expect(page.locator(".messagelist")).to_be_visible()
    request.refresh_from_db()
    assert request.state == State.DECIDED and request.outcome == Request.Outcome.PARTIAL
    granted, refused, receipts, third = request.items.all()
    assert (granted.case, granted.purpose, granted.category) == (
        "out_of_purpose",
        purpose,
        register["health-checks"],
    )
    assert (refused.case, refused.ground) == ("leak", "difficult")
    assert (receipts.kind, receipts.granted, receipts.category, receipts.ground) == (
        Kind.SUSPENSION,
        False,
        register["receipts"],
        "no_reason",
    )
    decision = request.letters.get(kind=Letter.Kind.DECISION).file.read()
    text = pdf_words(decision)
    assert f"（利用目的：{purpose.name}）請求のとおり実施します。" in text
    assert "代替措置：提供先に当該データを利用しないよう書面で求め、その回答を記録します。" in text
    assert "利用停止レセプトに関する情報実施しません。" in text
    assert "理由：レセプトは公表した利用目的の範囲で使っています。" in text
    assert (third.granted, third.category, third.purpose) == (
        False,
        register["health-checks"],
        other_purpose,
    )
    assert (
        f"利用停止健康診査に関する情報（利用目的：{other_purpose.name}）実施しません。"
        "請求の事由（法第35条第1項）：目的外利用（法第18条）" in text
    )
    assert "理由：この利用目的は公表した利用目的の範囲内です。" in text
