"""The privacy officer erases a whole member (APPI Art. 35(2)) in Chromium, at 1,280 × 800 and
390 × 844: the carry-out page lists the filings that may be the member's without a link (her
first request, rejected for a birth date mistyped by a day; a homonym's), in Japanese; carried
out unanswered it says what to choose; answered, hers is erased and the homonym's stays.
Screenshots in var/screenshots/."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from audit.models import Event
from audit.vocabulary import Action
from disclosure.models import Kind, Request
from records.models import Member
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.approvals import Approval
from safeguards.testing import second_officer_approves
from tests.browser import fits, moved

from .factories import RequestFactory
from .test_officer_browser import SHOTS, roles  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]
State = Request.State
NAME, KANA, BIRTH = "鈴木 結衣", "スズキ ユイ", datetime.date(1985, 6, 20)
CARD = {"member_symbol": "5005", "member_number": "321", "member_branch": "00"}


@pytest.fixture
def asked(roles, register):  # noqa: F811
    member = MemberFactory(
        symbol="5005", number="321", branch="00", name=NAME, name_kana=KANA, birth_date=BIRTH
    )
    RecordFactory(
        member=member,
        category=register["health-checks"],
        date=datetime.date(2019, 6, 1),  # past 基準第10条's five years: erasable
        title="特定健診2024",
    )
    mine = {"name": NAME, "name_kana": KANA, **CARD}
    first = RequestFactory(
        **mine, birth_date=BIRTH + datetime.timedelta(days=1), state=State.REJECTED
    )
    homonym = RequestFactory(
        name=NAME, name_kana=KANA, birth_date=datetime.date(1990, 1, 1), state=State.WITHDRAWN
    )
    request = RequestFactory(
        **mine, birth_date=BIRTH, kinds=[Kind.ERASURE], state=State.REVIEW, member=member
    )
    return member, first, homonym, request


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_art35_2_the_officer_confirms_the_filings_erased_with_the_member(
    width, height, asked, bare_officer, live_server, browser_context, sign_in
):
    member, first, homonym, request = asked
    second_officer_approves(Approval.Kind.MEMBER_ERASURE, request)  # four eyes, asked beforehand
    client = sign_in(bare_officer)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name):
        page.screenshot(path=SHOTS / f"erasure-{width}-{name}.png", full_page=True)

    page.goto(live_server.url + f"/admin/disclosure/request/{request.pk}/change/")
    page.get_by_role("button", name="決定する", exact=True).click()
    page.get_by_label(re.compile("加入者のすべて.*を消去します。確認しました")).check()
    page.locator(".decision-row").get_by_label("請求の事由（法第35条）").select_option(
        label="利用する必要がなくなった"
    )
    page.get_by_role("button", name="実行する").click()
    page.get_by_role("button", name="決定を実施する", exact=True).click()

    listed = page.locator(".erasure-candidates")
    assert "この加入者のものと思われる届出" in listed.inner_text()
    rows = page.locator(".decision-row")
    expect(rows).to_have_count(2)
    assert first.receipt_number in rows.nth(0).inner_text()
    first_row = re.sub(r"\s+", "", rows.nth(0).inner_text())
    assert "却下" in first_row and "不一致生年月日" in first_row
    assert homonym.receipt_number in rows.nth(1).inner_text()
    text = page.locator("#content").inner_text()
    # Japanese throughout: no English word of Django's or of the code on the page.
    assert not re.search(r"\b(?:theirs|other|candidate|None|True|False|Submit)\b", text), text
    shot("1-candidates")
    fits(page)

    page.get_by_role("button", name="実行する").click()  # nothing answered
    expect(page.locator(".decision-row .errorlist")).to_have_count(2)
    assert "本人のものか別人のものかを選んでください。" in rows.nth(0).inner_text()
    shot("2-unanswered")
    assert Member.objects.filter(pk=member.pk).exists()

    rows.nth(0).get_by_label("本人のもの（一緒に消去する）").check()
    rows.nth(1).get_by_label("別人のもの（消去しない）").check()
    shot("3-answered")
    page.get_by_role("button", name="実行する").click()
    moved(page)
    shot("4-carried-out")
    fits(page)

    request.refresh_from_db()
    first.refresh_from_db()
    homonym.refresh_from_db()
    assert request.state == State.CARRIED_OUT and not Member.objects.filter(pk=member.pk).exists()
    assert first.name == "" and len(first.identity_digest) == 64
    assert homonym.name == NAME and homonym.identity_digest == ""
    event = Event.objects.get(action=Action.DISCLOSURE_ERASURE_CONFIRMED)
    assert event.actor_id == bare_officer.pk
    assert event.details["declined"] == [f"disclosure.request:{homonym.pk}"]
