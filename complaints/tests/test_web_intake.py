"""The public form: the confirmation step, the receipt, the token, the mail, the links."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import Event
from audit.vocabulary import Action
from complaints.models import Complaint
from complaints.tests.conftest import draft
from core.testing import open_status_link
from core.wareki import format_wareki
from purposes.loader import load_register
from records.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

NAMED = {
    "name": "山田　太郎",
    "email": "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
    "phone": "",
    "address": "",
    "subject": "handling",
    "what_happened": "健診の結果が、別の人の名前で届きました。",
    "what_wanted": "原因を教えてください。",
}


def test_it_files_a_named_complaint_after_the_confirmation_step(client, submit_online):
    response = submit_online(NAMED)

    complaint = Complaint.objects.get()
    assert complaint.channel == Complaint.Channel.WEB
    assert complaint.state == Complaint.State.RECEIVED
    assert complaint.name == "山田 太郎"
    assert complaint.email == "taro@example.jp"
    assert complaint.receipt_number in response.text
    status_url = re.search(r'id="status-url" href="([^"]+)"', response.text)[1]
    assert status_url.startswith(
        f"http://testserver/complaints/status/{complaint.receipt_number}/#t="
    )
    # The link opens the complaint's status page, once, as the complainant's own look.
    opened = open_status_link(client, status_url)
    assert 'id="complaint-state">受付<' in opened.text
    assert Event.objects.filter(
        action=Action.COMPLAINTS_COMPLAINT_RECEIVED, target_id=str(complaint.pk)
    ).exists()


def test_it_mails_the_receipt_to_the_address_given(submit_online, run_worker):
    submit_online(NAMED)
    run_worker()

    (message,) = mail.outbox
    complaint = Complaint.objects.get()
    assert message.to == ["taro@example.jp"]
    assert complaint.receipt_number in message.subject
    assert "健診の結果" not in message.body  # the complaint's words stay out of mail


def test_it_shows_the_token_only_once(client, submit_online):
    submit_online(NAMED)

    again = client.get(reverse("complaints:done"), follow=True)

    assert "status-url" not in again.text


def test_it_files_once_when_the_confirmation_is_sent_twice(client):
    confirm = client.post(reverse("complaints:new"), NAMED)
    for _attempt in range(2):
        client.post(reverse("complaints:confirm"), {"draft": draft(confirm), "send": "1"})

    assert Complaint.objects.count() == 1


def test_it_stores_nothing_before_the_confirmation(client):
    client.post(reverse("complaints:new"), {**NAMED, "confirm": ""})

    assert not Complaint.objects.exists()


def test_it_asks_a_named_complainant_for_one_way_to_reply(client):
    data = {**NAMED, "email": ""}

    response = client.post(reverse("complaints:new"), {**data, "confirm": ""})

    assert response.status_code == 200
    assert "error-summary" in response.text
    assert "メールアドレス、電話番号、住所のいずれか" in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Complaint.objects.exists()


def test_it_links_a_member_whose_symbol_and_number_match_exactly(submit_online):
    member = MemberFactory(symbol="1001", number="42")
    data = {**NAMED, "is_member": "on", "member_symbol": "１００１", "member_number": "４２"}

    submit_online(data)

    assert Complaint.objects.get().member == member


def test_it_answers_alike_whether_or_not_the_member_exists(submit_online):
    MemberFactory(symbol="1001", number="42")
    known = submit_online(
        {**NAMED, "is_member": "on", "member_symbol": "1001", "member_number": "42"}
    )
    unknown = submit_online(
        {**NAMED, "is_member": "on", "member_symbol": "1001", "member_number": "43"}
    )

    def scrub(text):
        return re.sub(
            r'C\d{6}-\d{6}|id="status-url"[^<]+<|name="csrfmiddlewaretoken" value="[^"]+"',
            "",
            text,
        )

    assert scrub(known.text) == scrub(unknown.text)
    assert Complaint.objects.filter(member__isnull=True).count() == 1


def test_it_refuses_letters_in_the_insurance_number(client):
    data = {**NAMED, "is_member": "on", "member_symbol": "1001", "member_number": "4a"}

    response = client.post(reverse("complaints:new"), {**data, "confirm": ""})

    assert "数字で入力してください" in response.text
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "typed", ["03(1234)5678", "（０３）１２３４－５６７８", "０３－１２３４－５６７８"]
)
def test_it_takes_a_phone_number_with_brackets_or_full_width(submit_online, typed):
    submit_online({**NAMED, "email": "", "phone": typed})

    assert Complaint.objects.get().phone == "03-1234-5678"


def test_a_phone_number_with_letters_is_refused_with_what_is_wrong(client):
    response = client.post(reverse("complaints:new"), {**NAMED, "phone": "03-1234-ABCD"})

    assert "電話番号は 03-1234-5678 のように" in response.text
    assert not Complaint.objects.exists()


def test_the_status_link_shows_the_due_dates_in_wareki(client, submit_online):
    done = submit_online(NAMED)
    complaint = Complaint.objects.get()

    page = open_status_link(client, re.search(r'id="status-url" href="([^"]+)"', done.text)[1])

    due = re.search(r'id="answer-due">([^<]+)<', page.text)[1]
    assert due == format_wareki(complaint.answer_due) and due.startswith("令和")
    assert format_wareki(complaint.first_response_due) in page.text


@pytest.mark.parametrize("page", ["/privacy/", "/requests/", "/requests/new/"])
def test_the_public_pages_link_to_the_complaints_form(client, page):
    load_register()  # the published notice that /privacy/ shows
    response = client.get(page)

    assert 'id="complaints-form" href="/complaints/new/"' in response.text


def test_the_receipt_page_gives_both_due_dates_in_wareki(submit_online):
    done = submit_online(NAMED)
    complaint = Complaint.objects.get()

    assert f'id="first-response-due">{format_wareki(complaint.first_response_due)}<' in done.text
    assert f'id="answer-due">{format_wareki(complaint.answer_due)}<' in done.text


def test_mynumber_act_the_form_refuses_a_my_number_and_says_why(client):
    # 番号法第20条: the desk does not take a 個人番号, even one a member offers.
    data = {**NAMED, "what_happened": "私のマイナンバー　１２３４　５６７８　９０１８　について"}

    response = client.post(reverse("complaints:new"), data)

    assert response.status_code == 200
    assert "complaints/new.html" in [t.name for t in response.templates]
    assert "個人番号（マイナンバー）と思われる12桁の番号が含まれています" in response.text
    assert not Complaint.objects.exists()
