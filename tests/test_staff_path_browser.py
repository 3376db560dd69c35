"""The parts of the staff's day that the other walks leave out, in Chromium at a desktop's
1,280 × 800 and a phone's 390 × 844: a request filed on the public form (its two steps, a
scanned identity card) reaches the privacy officer, who sees the card drawn while matching
the member; the complaints desk handles a complaint from 受付 to 完了; the officer assesses
an incident and reports it to the PPC. The officer's walk from the match to the package
(disclosure/tests/test_officer_browser.py), the handler's and the auditor's are their own.

Screenshots of each step are kept in var/screenshots/ (`screenshots` fixture).
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from audit.trail import PUBLIC
from complaints import services as complaint_services
from complaints.models import Complaint
from disclosure.models import Request
from disclosure.tests.test_officer_browser import licence_png
from records.tests.factories import MemberFactory
from safeguards import incidents
from safeguards.models import Incident, OfficerAppointment
from safeguards.roles import Role
from tests.browser import fits, moved

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def roles(transactional_db):
    # A flushed database has lost the rows of data migrations: the roles' groups.
    for role in Role:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def desk(roles):
    """The complaints desk: a handler on the complaints desk, in good standing, no category."""
    from safeguards.models import Desk
    from safeguards.scopes import grant_scope
    from safeguards.testing import in_good_standing, make_staff

    user = in_good_standing(make_staff("desk", Role.HANDLER))
    grant_scope(
        user=user, desk=Desk.of(Desk.Code.COMPLAINTS), by=make_staff("admin", is_superuser=True)
    )
    return user


def staff_page(chromium, live_server, client, screen):
    """A page signed in as the user `client` was signed in as (password and code)."""
    width, height = SCREENS[screen]
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def move(page, label: str) -> None:
    """A workflow button of the admin, then its confirmation page's 実行する: done, no error."""
    page.get_by_role("button", name=label, exact=True).click()
    page.get_by_role("button", name="実行する").click()
    moved(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_a_request_filed_on_the_form_is_matched_with_its_card_in_view(
    screen, chromium, live_server, roles, register, bare_officer, sign_in, screenshots
):
    member = MemberFactory(
        symbol="1001",
        number="7",
        branch="00",
        name="山田花子",
        name_kana="ヤマダハナコ",
        birth_date=datetime.date(1980, 1, 2),
    )
    width, height = SCREENS[screen]
    public = chromium.new_context(
        viewport={"width": width, "height": height}, locale="ja-JP"
    ).new_page()

    def shot(page, step: str):
        page.screenshot(
            path=screenshots / f"staff-path-{screen}-request-{step}.png", full_page=True
        )

    public.goto(live_server.url + "/requests/new/")
    public.get_by_label("本人", exact=True).check()
    public.get_by_label("開示", exact=True).check()
    public.get_by_role("button", name="次へ（入力画面へ）").click()
    for name, value in {
        "member_symbol": "1001",
        "member_number": "7",
        "member_branch": "00",
        "name": "山田　花子",
        "name_kana": "やまだ　はなこ",
        "birth_date": "S55.1.2",
        "postal_code": "100-0001",
        "address": "東京都千代田区千代田1-1",
        "phone": "03-1234-5678",
    }.items():
        public.locator(f"#id_{name}").fill(value)
    public.get_by_label("電子データ（ダウンロード）").check()
    public.locator("#id_identity_document").set_input_files(
        {"name": "licence.png", "mimeType": "image/png", "buffer": licence_png()}
    )
    public.get_by_role("button", name="入力内容を確認する").click()
    public.get_by_role("button", name="この内容で請求する").click()
    receipt = public.locator("#receipt-number").inner_text()
    shot(public, "1-receipt")

    page = staff_page(chromium, live_server, sign_in(bare_officer), screen)
    page.goto(live_server.url + "/admin/disclosure/request/")
    page.get_by_role("link", name=receipt).click()
    shot(page, "2-case")
    move(page, "本人確認を始める")
    page.get_by_role("button", name="本人確認：加入者と照合して審査に進む", exact=True).click()
    # The card the filer sent, drawn on the page where the identity is checked.
    picture = page.locator(".identity-documents img")
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth)") == 480
    assert "山田 花子" in page.locator("main, #content").first.inner_text()
    shot(page, "3-identity")
    fits(page)
    page.get_by_role("button", name="実行する").click()

    filed = Request.objects.get(receipt_number=receipt)
    assert (filed.state, filed.member) == (Request.State.REVIEW, member)
    page.get_by_text("審査中").first.wait_for()  # the next page, once it has come
    shot(page, "4-review")


@pytest.mark.parametrize("screen", SCREENS)
def test_the_complaints_desk_takes_a_complaint_from_received_to_closed(
    screen, chromium, live_server, roles, desk, sign_in, screenshots
):
    complaint, _token = complaint_services.complaint_file(
        complaint=Complaint(
            subject=Complaint.Subject.HANDLING,
            what_happened="健診結果の通知が旧住所に送られていました。",
            name="山本 恵子",
            email="keiko@example.jp",
        ),
        channel=Complaint.Channel.WEB,
        received_at=timezone.now(),
        by=PUBLIC,
        base_url=live_server.url,
    )
    page = staff_page(chromium, live_server, sign_in(desk), screen)

    def shot(step: str):
        page.screenshot(
            path=screenshots / f"staff-path-{screen}-complaint-{step}.png", full_page=True
        )

    page.goto(live_server.url + "/admin/complaints/complaint/")
    page.get_by_role("link", name=complaint.receipt_number).click()
    shot("1-received")
    fits(page)
    move(page, "「受付連絡済み」にする")
    page.get_by_label("回答（申出人に送付した文面）").fill(
        "新しい住所に登録を直し、担当者に確認の手順を徹底しました。"
    )
    page.get_by_role("button", name="保存して編集を続ける").click()
    move(page, "「回答済み」にする")
    page.get_by_label("原因の分類").select_option(label="事務処理の誤り")
    page.get_by_role("button", name="保存して編集を続ける").click()
    move(page, "「完了」にする")
    shot("2-closed")
    fits(page)

    complaint.refresh_from_db()
    assert (complaint.state, complaint.cause) == (Complaint.State.CLOSED, "clerical")
    page.get_by_text("完了").first.wait_for()


@pytest.mark.parametrize("screen", SCREENS)
def test_the_officer_assesses_an_incident_and_reports_it(
    screen, chromium, live_server, roles, register, bare_officer, sign_in, screenshots
):
    incident = incidents.report_incident(
        incident=Incident(
            kind=Incident.Kind.LEAK,
            summary="医療費通知を別の加入者に誤送付した。",
            discovered_at=timezone.now() - datetime.timedelta(hours=3),
        ),
        by=bare_officer,
    )
    page = staff_page(chromium, live_server, sign_in(bare_officer), screen)

    def shot(step: str):
        page.screenshot(
            path=screenshots / f"staff-path-{screen}-incident-{step}.png", full_page=True
        )

    page.goto(live_server.url + f"/admin/safeguards/incident/{incident.pk}/change/")
    shot("1-reported")
    move(page, "評価を開始する")
    page.get_by_label(re.compile("^本人の数")).fill("1")
    # The admin's two-list picker: a double click moves the category to the chosen list.
    page.locator("#id_categories_from option", has_text="レセプトに関する情報").dblclick()
    assert page.locator("#id_categories_to option").all_inner_texts() == ["レセプトに関する情報"]
    page.get_by_role("button", name="保存して編集を続ける").click()
    shot("2-assessed")
    fits(page)
    move(page, "委員会へ速報した")
    shot("3-reported")

    incident.refresh_from_db()
    assert incident.state == Incident.State.PRELIMINARY_REPORTED
    assert incident.persons_affected == 1
    assert list(incident.categories.values_list("code", flat=True)) == ["receipts"]


@pytest.mark.parametrize("screen", SCREENS)
def test_the_desk_escalates_a_complaint_and_the_officer_answers_it(
    screen, chromium, live_server, roles, desk, bare_officer, sign_in, screenshots, run_worker
):
    from django.core import mail

    complaint, _token = complaint_services.complaint_file(
        complaint=Complaint(
            subject=Complaint.Subject.LEAK,
            what_happened="他の人の医療費通知が私の家に届きました。",
            name="森 花子",
            email="hanako.mori@example.jp",
        ),
        channel=Complaint.Channel.WEB,
        received_at=timezone.now(),
        by=PUBLIC,
        base_url=live_server.url,
    )
    # The privacy officer is on the emergency line (緊急連絡網), where escalations are mailed.
    OfficerAppointment.objects.create(
        user=bare_officer,
        role="officer",
        escalation_order=1,
        phone="03-0000-0001",
        email="officer@example.jp",
        appointed_on=timezone.localdate() - datetime.timedelta(days=30),
    )

    def shot(page, step: str):
        page.screenshot(
            path=screenshots / f"staff-path-{screen}-escalated-{step}.png", full_page=True
        )

    # The desk hands it to the privacy officer, who is told by mail.
    page = staff_page(chromium, live_server, sign_in(desk), screen)
    page.goto(live_server.url + f"/admin/complaints/complaint/{complaint.pk}/change/")
    move(page, "「個人情報取扱責任者が対応中」にする")
    shot(page, "1-escalated")
    fits(page)
    run_worker()
    told = [m for m in mail.outbox if "officer@example.jp" in m.to]
    assert told and complaint.receipt_number in told[0].body

    # The officer finds it among the complaints, answers, and marks it answered.
    page = staff_page(chromium, live_server, sign_in(bare_officer), screen)
    page.goto(live_server.url + "/admin/complaints/complaint/")
    page.get_by_role("link", name=complaint.receipt_number).click()
    expect(page.get_by_text("個人情報取扱責任者が対応中").first).to_be_visible()
    page.get_by_label("回答（申出人に送付した文面）").fill(
        "誤送付を確認し、通知をお送りした方に回収をお願いしました。"
    )
    page.get_by_role("button", name="保存して編集を続ける").click()
    move(page, "「回答済み」にする")
    shot(page, "2-answered")
    fits(page)

    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.RESPONDED and complaint.responded_at
