"""Enter in a field of the decision page does what its 実行する does, in Chromium: the decision
is recorded, or refused beside the fields, and never one more row. The page's 「行を追加」
buttons come before 実行する in the form, and a browser submits Enter through the form's first
submit button; `admin/core/move.html` puts a copy of 実行する first, out of sight, of the tab
order and of the accessibility tree (axe finds nothing of it). Clicking 「行を追加」 still adds a
row and decides nothing."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from disclosure.models import DecisionItem, Kind, Letter, Request
from records.tests.factories import MemberFactory, RecordFactory
from tests.browser import fits, moved

from .factories import RequestFactory
from .test_officer_browser import SHOTS, roles  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]
State = Request.State
REASON = "療養の給付の返還請求の証拠として保存します。"


@pytest.fixture
def asked(roles, register):  # noqa: F811
    """A request to erase the member's records: one receipt of this year, kept five years by
    the law the register names for receipts."""
    member = MemberFactory(symbol="3003", number="7", branch="00")
    receipt = RecordFactory(
        member=member,
        category=register["receipts"],
        date=timezone.localdate() - datetime.timedelta(days=30),
        title="外来（内科）",
    )
    request = RequestFactory(kinds=[Kind.ERASURE], state=State.REVIEW, member=member)
    return request, receipt


@pytest.fixture
def decision_page(asked, bare_officer, live_server, browser_context, sign_in):
    """The officer's decision page for the request, at 1,280 × 800."""
    client = sign_in(bare_officer)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    request, _receipt = asked
    page.goto(live_server.url + f"/admin/disclosure/request/{request.pk}/change/")
    page.get_by_role("button", name="決定する", exact=True).click()
    expect(page.locator(".added-row")).to_have_count(2)
    expect(page.get_by_role("button", name="消去の行を追加")).to_be_visible()
    return page


def test_enter_in_a_field_records_the_decision_as_the_main_button_does(
    asked, decision_page, register
):
    request, receipt = asked
    page, law = decision_page, register["receipts"].retention_basis
    row = page.locator(".decision-row")
    row.get_by_label("認めない", exact=True).check()
    row.get_by_label("請求の事由（法第35条）").select_option(label="利用する必要がなくなった")
    row.get_by_label("消去する記録").select_option(str(receipt.pk))
    row.get_by_label("認めない根拠").select_option(DecisionItem.Ground.RETENTION)
    row.get_by_label("理由").fill(REASON)
    law_field = row.get_by_label("保存を義務付ける法令・条項")
    law_field.fill(law)

    law_field.press("Enter")

    # What 実行する shows: back on the request's page, the decision recorded; no row added.
    expect(page.locator(".messagelist .success")).to_contain_text("「決定する」を行いました")
    moved(page)
    assert page.url.endswith(f"/admin/disclosure/request/{request.pk}/change/")
    request.refresh_from_db()
    assert (request.state, request.outcome) == (State.DECIDED, Request.Outcome.NONE)
    assert list(request.items.values_list("kind", "granted", "record_id", "ground")) == [
        (Kind.ERASURE, False, receipt.pk, DecisionItem.Ground.RETENTION)
    ]
    assert request.letters.filter(kind=Letter.Kind.DECISION).exists()


def test_enter_in_an_unfinished_decision_shows_what_is_missing_and_adds_no_row(
    asked, decision_page, register
):
    request, _receipt = asked
    page = decision_page
    row = page.locator(".decision-row")
    row.get_by_label("保存を義務付ける法令・条項").fill(register["receipts"].retention_basis)

    row.get_by_label("保存を義務付ける法令・条項").press("Enter")

    # What 実行する shows on a decision not finished: what is missing, beside the field.
    expect(row).to_contain_text("請求の事由を選んでください")
    expect(row).to_contain_text("確認の欄にチェックしてください")
    expect(page.locator(".added-row")).to_have_count(2)
    expect(page.get_by_text("消去：追加の明細 3")).to_have_count(0)
    request.refresh_from_db()
    assert request.state == State.REVIEW and not request.items.exists()


def test_clicking_add_row_still_adds_a_row_and_decides_nothing(asked, decision_page, register):
    request, _receipt = asked
    page, law = decision_page, register["receipts"].retention_basis
    first = page.locator(".added-row").first
    first.get_by_label("保存を義務付ける法令・条項").fill(law)

    page.get_by_role("button", name="消去の行を追加").click()

    expect(page.locator(".added-row")).to_have_count(3)
    expect(page.locator(".added-row").nth(2)).to_contain_text("消去：追加の明細 3")
    expect(first.get_by_label("保存を義務付ける法令・条項")).to_have_value(law)
    assert page.url.endswith("#added-erasure")
    assert page.locator(".errorlist").count() == 0
    request.refresh_from_db()
    assert request.state == State.REVIEW and not request.items.exists()


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_the_page_shows_and_reaches_one_main_button_only(width, height, decision_page):
    from axe_playwright_python.sync_playwright import Axe

    page = decision_page
    page.set_viewport_size({"width": width, "height": height})
    # Sight, the accessibility tree, the tab order: one 実行する, the one below the fields.
    expect(page.get_by_role("button", name="実行する")).to_have_count(1)
    page.locator("input[name=items-0-granted]").first.focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.type") != "submit"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"decision-enter-{width}.png", full_page=True)
    fits(page)
    found = Axe().run(page).response["violations"]
    blocking = [v["id"] for v in found if v["impact"] in {"serious", "critical"}]
    assert not blocking, found
    on_the_form = [
        v["id"] for v in found for node in v["nodes"] if "submit" in node["html"].lower()
    ]
    assert not on_the_form, found
