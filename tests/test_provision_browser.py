"""The officer withholds a 第三者提供記録 on the decision page (APPI Art. 33(5)), in Chromium at
a desktop's 1,280 × 800 and a phone's 390 × 844: the provisions section lists the Art. 29
records, a withheld one without its ground is refused beside it, then decided and carried
out; axe finds no serious violation on the page with its errors."""

import datetime
import io
import pathlib
import zipfile

import pytest
from django.contrib.auth.models import Group

from disclosure.models import Kind, Request
from disclosure.tests.factories import RequestFactory
from records.models import ThirdPartyProvision
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory
from safeguards.models import Approval
from safeguards.roles import Role
from safeguards.testing import second_officer_approves
from tests.browser import fits, moved
from tests.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]
SHOTS = pathlib.Path(__file__).resolve().parents[1] / "var" / "screenshots"
State = Request.State
CENTRE = "千代田区児童相談所"


@pytest.fixture
def child_case(transactional_db, register):
    for role in Role:  # a flushed database has lost the roles' groups
        Group.objects.get_or_create(name=role)
    child = MemberFactory(name="鈴木さくら", birth_date=datetime.date(2011, 5, 5))
    RecordFactory(
        member=child, category=register["health-checks"], payload=EXAMPLE_PAYLOADS["health-checks"]
    )
    for recipient, day in ((CENTRE, datetime.date(2026, 2, 3)), ("東京都予防医学協会", None)):
        ThirdPartyProvision.objects.create(
            member=child,
            category=register["health-checks"],
            recipient=recipient,
            provided_on=day or datetime.date(2025, 7, 1),
            items=["氏名", "健診結果"],
            legal_basis=ThirdPartyProvision.LegalBasis.CONSENT,
        )
    return RequestFactory(
        state=State.REVIEW,
        member=child,
        kinds=[Kind.DISCLOSURE],
        include_provision_records=True,
        filer=Request.Filer.LEGAL_AGENT,
        agent_name="鈴木陽子",
        agent_name_kana="スズキヨウコ",
        agent_relationship="母",
        agent_address="東京都千代田区千代田2-2",
        agent_phone="03-2222-2222",
    )


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_art33_5_the_officer_withholds_the_child_guidance_centre_on_the_decision_page(
    width, height, child_case, bare_officer, live_server, browser_context, sign_in
):
    from axe_playwright_python.sync_playwright import Axe

    client = sign_in(bare_officer)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/admin/disclosure/request/{child_case.pk}/change/")
    page.get_by_role("button", name="決定する", exact=True).click()

    section = page.locator(".decision-provisions")
    assert "第三者提供記録（法第33条第5項）" in section.inner_text()
    rows = section.locator(".decision-row")
    assert rows.count() == 2
    centre = rows.filter(has_text=CENTRE)
    centre.get_by_label("開示しない", exact=True).check()
    page.get_by_role("button", name="実行する").click()
    centre = page.locator(".decision-provisions .decision-row").filter(has_text=CENTRE)
    assert "開示しない根拠を選んでください。" in centre.inner_text()
    assert page.locator(".has-errors").count() == 1
    assert violations(Axe(), page) == []
    fits(page)
    page.screenshot(path=SHOTS / f"officer-{width}-provision-withheld.png", full_page=True)

    centre.get_by_label("開示しない根拠").select_option(
        label=(
            "本人又は第三者の生命、身体、財産その他の権利利益を害するおそれ（法第33条第2項第1号）"
        )
    )
    centre.get_by_label("理由").fill("児童の心身に危害が及ぶおそれがあるため")
    page.get_by_role("button", name="実行する").click()
    moved(page)
    child_case.refresh_from_db()
    assert child_case.state == State.DECIDED and child_case.outcome == Request.Outcome.PARTIAL

    second_officer_approves(Approval.Kind.PACKAGE_RELEASE, child_case)  # 要配慮個人情報
    page.get_by_role("button", name="決定を実施する", exact=True).click()
    page.get_by_role("button", name="実行する").click()
    moved(page)
    child_case.refresh_from_db()
    assert child_case.state == State.CARRIED_OUT
    archive = zipfile.ZipFile(io.BytesIO(child_case.packages.get().file.read()))
    assert CENTRE not in archive.read("provisions.json").decode()
    assert "東京都予防医学協会" in archive.read("provisions.json").decode()
