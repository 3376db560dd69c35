"""A disclosure request in headless Chromium, from the form to the download: full-width input,
an error that keeps what was typed, the confirmation, the receipt, the status page opened
with its token, and (once staff have decided and carried it out) the package, after the
birth date is entered again."""

import datetime
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from core.workflow import transition
from disclosure import services
from disclosure.forms import NO_MY_NUMBER
from disclosure.models import Kind, Request
from records import gate
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.models import Approval
from safeguards.roles import Role
from safeguards.testing import second_officer_approves

from .conftest import JPEG

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db", "roles")]


@pytest.fixture
def roles(transactional_db):
    # A flushed database has lost the rows of data migrations: the roles' groups.
    for role in Role:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def member(register):
    member = MemberFactory(
        symbol="1001",
        number="23",
        branch="01",
        name="山田花子",
        name_kana="ヤマダハナコ",
        birth_date=datetime.date(1980, 1, 2),
    )
    RecordFactory(
        member=member,
        category=register["health-checks"],
        title="特定健診2025",
        payload={"facility": "千代田健診センター"},
    )
    return member


def fill_the_form(page, *, birth_date: str) -> None:
    # The first step: who files and what; the page after it has the fields those need.
    page.get_by_label("本人", exact=True).check()
    page.get_by_label("開示", exact=True).check()
    page.get_by_role("button", name="次へ（入力画面へ）").click()
    typed = {
        "member_symbol": "１００１",
        "member_number": "２３",
        "member_branch": "０１",
        "name": "山田　花子",
        "name_kana": "やまだ　はなこ",
        "birth_date": birth_date,
        "postal_code": "１００－０００１",
        "address": "東京都千代田区千代田１－１",
        "phone": "０３－１２３４－５６７８",
    }
    for name, value in typed.items():
        page.locator(f"#id_{name}").fill(value)
    page.get_by_label("電子データ（ダウンロード）").check()
    page.locator("#id_identity_document").set_input_files(
        {"name": "licence.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )


def test_the_note_on_a_kept_upload_describes_its_file_input(browser_context, live_server):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.goto(live_server.url + reverse("disclosure:new"))
    fill_the_form(page, birth_date="昭和５５年１３月２日")
    page.get_by_role("button", name="入力内容を確認する").click()

    # Back with the birth date's error: the upload was kept, and its input says so, after its
    # help, to a screen reader as well as on the page.
    note = page.locator("p.kept")
    expect(note).to_have_text("提出済みです。差し替えるときだけ、もう一度選んでください。")
    expect(page.locator("#id_identity_document")).to_have_accessible_description(
        "運転免許証、マイナンバーカードの表面など。JPEG・PNG・HEIC・PDF、10 MB まで。 "
        + str(NO_MY_NUMBER)
        + " 提出済みです。差し替えるときだけ、もう一度選んでください。"
    )
    # The documents a 本人 does not send are not asked for.
    expect(page.locator("#id_agent_identity_document")).to_have_count(0)


def test_a_member_files_follows_and_downloads(browser_context, live_server, member, officer):
    page = browser_context.new_page()
    page.goto(live_server.url + reverse("disclosure:new"))
    fill_the_form(page, birth_date="昭和５５年１３月２日")
    page.get_by_role("button", name="入力内容を確認する").click()

    # The error says what to fix; everything typed, and the upload, is kept.
    birth_date = page.locator("#id_birth_date")
    assert birth_date.get_attribute("aria-invalid") == "true"
    assert (
        "生年月日は 1985-06-20 または 昭和60年6月20日"
        in page.locator("#id_birth_date_error").inner_text()
    )
    assert page.locator("#id_name").input_value() == "山田　花子"
    expect(page.get_by_text("提出済みです")).to_be_visible()
    assert not Request.objects.exists()

    birth_date.fill("昭和５５年１月２日")
    page.get_by_role("button", name="入力内容を確認する").click()
    summary = page.locator("table.summary").inner_text()
    assert "ヤマダ ハナコ" in summary and "昭和55年1月2日" in summary and "1001" in summary
    page.get_by_role("button", name="この内容で請求する").click()

    filed = Request.objects.get()
    assert page.locator("#receipt-number").inner_text() == filed.receipt_number
    assert (filed.member_number, filed.name_kana) == ("23", "ヤマダ ハナコ")
    page.locator("#status-url").click()
    assert page.locator("#state").inner_text() == "受付"

    with gate.ledger():
        transition(filed, Request.State.IDENTITY_CHECK, by=officer)
        services.request_match(request=filed, member=member, by=officer)
        services.request_decide(
            request=filed,
            reasons="",
            by=officer,
            items=[{"kind": Kind.DISCLOSURE, "granted": True}],
        )
        second_officer_approves(Approval.Kind.PACKAGE_RELEASE, filed)
        services.request_carry_out(request=filed, by=officer)

    page.reload()
    assert page.locator("#state").inner_text() == "実施済み"
    page.locator("#id_birth_date").fill("１９８０年１月３日")
    page.get_by_role("button", name="ダウンロードする").click()
    assert page.get_by_role("alert").inner_text().startswith("生年月日が一致しません")
    page.locator("#id_birth_date").fill("昭和５５年１月２日")
    with page.expect_download() as download:
        page.get_by_role("button", name="ダウンロードする").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    rows = json.loads(archive.read("records.json"))
    assert [row["payload"]["facility"] for row in rows] == ["千代田健診センター"]
