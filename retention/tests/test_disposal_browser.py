"""A disposal run in Chromium (APPI Art. 22): the privacy officer approves it and carries it
out (a second officer approves the 要配慮 erasure between two presses), then the 監事 opens its
certificate (廃棄記録) from the reports. At a desktop's and a phone's width, screenshots of each
step in var/screenshots/."""

import datetime

import pytest
from django.test import Client
from playwright.sync_api import expect

from records.models import Record
from records.tests.factories import MemberFactory, RecordFactory
from retention.disposal import open_run
from retention.models import DisposalRun
from safeguards import approvals
from safeguards.models import Approval
from safeguards.roles import Role
from safeguards.testing import make_staff, sign_in_verified
from tests.browser import fits

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}


def _page(chromium, live_server, user, width: int, height: int):
    client = Client()
    sign_in_verified(client, user)
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context.new_page()


@pytest.mark.parametrize("screen", SCREENS)
def test_art22_the_officer_approves_and_carries_out_a_run_and_the_auditor_reads_its_certificate(
    screen, chromium, live_server, register, privacy_officer, auditor, screenshots
):
    width, height = SCREENS[screen]
    member = MemberFactory()
    RecordFactory(member=member, category=register["receipts"], date=datetime.date(2019, 6, 1))
    run = open_run(today=datetime.date(2026, 12, 5))

    def shot(page, step: str):
        page.screenshot(path=screenshots / f"disposal-{screen}-{step}.png", full_page=True)

    def press(page, label: str):
        page.get_by_role("button", name=label).click()
        page.get_by_role("button", name="実行する").click()

    page = _page(chromium, live_server, privacy_officer, width, height)
    page.goto(f"{live_server.url}/admin/retention/disposalrun/{run.pk}/change/")
    expect(page.get_by_text("作成済み").first).to_be_visible()
    shot(page, "1-created")
    press(page, "承認する")
    expect(page.locator(".messagelist .success")).to_contain_text("「承認する」を行いました")
    press(page, "廃棄を実施する（記録を消去する）")
    expect(page.locator(".messagelist .error")).to_contain_text(
        "別の個人情報取扱責任者の承認が必要です"
    )
    shot(page, "2-waits-for-a-second-officer")
    approvals.approve(
        approval=Approval.objects.get(kind=Approval.Kind.DISPOSAL),
        by=make_staff("second_officer", Role.PRIVACY_OFFICER),
    )
    press(page, "廃棄を実施する（記録を消去する）")
    expect(page.locator(".messagelist .success")).to_contain_text("を行いました")
    shot(page, "3-carried-out")
    fits(page)
    run.refresh_from_db()
    assert run.state == DisposalRun.State.CARRIED_OUT and not Record.objects.exists()

    reader = _page(chromium, live_server, auditor, width, height)
    reader.goto(f"{live_server.url}/reports/disposals/")
    reader.get_by_role("link", name=str(run)).click()
    expect(reader.get_by_role("heading", name=f"廃棄記録（{run}）")).to_be_visible()
    expect(reader.get_by_text("データベースからの削除・暗号鍵の破棄", exact=False)).to_be_visible()
    expect(reader.get_by_text("second_officer")).to_be_visible()
    fits(reader)
    shot(reader, "4-certificate")
