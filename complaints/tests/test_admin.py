"""The desk's admin: intake by phone with the time received, the worklist, the links."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from audit.vocabulary import Action
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from records.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_it_records_a_phone_complaint_with_its_channel_and_time(sign_in, desk):
    client = sign_in(desk)

    response = client.post(
        reverse("admin:complaints_complaint_add"),
        {
            "channel": "phone",
            "received_at_0": "2026-04-01",
            "received_at_1": "09:30:00",
            "name": "電話太郎",
            "phone": "０３－１２３４－５６７８",
            "subject": "staff_conduct",
            "what_happened": "電話口で他人の話をされた。",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    complaint = Complaint.objects.get()
    assert complaint.channel == Complaint.Channel.PHONE
    assert complaint.phone == "03-1234-5678"
    assert timezone.localtime(complaint.received_at).hour == 9
    assert complaint.created_by == desk
    # 2026-04-01 is a Wednesday; five working days later is the next Wednesday.
    assert complaint.first_response_due == datetime.date(2026, 4, 8)


def test_it_refuses_an_entry_without_a_way_to_reply(sign_in, desk):
    client = sign_in(desk)

    response = client.post(
        reverse("admin:complaints_complaint_add"),
        {
            "channel": "counter",
            "received_at_0": "2026-04-01",
            "received_at_1": "09:30:00",
            "name": "窓口花子",
            "subject": "handling",
            "what_happened": "書類を取り違えられた。",
        },
    )

    assert response.status_code == 200
    assert not Complaint.objects.exists()


def test_it_lists_overdue_complaints_first(sign_in, desk):
    today = timezone.localdate()
    later = ComplaintFactory(first_response_due=today + datetime.timedelta(days=1))
    overdue = ComplaintFactory(
        first_response_due=today - datetime.timedelta(days=1),
        answer_due=today + datetime.timedelta(days=10),
    )
    client = sign_in(desk)

    response = client.get(reverse("admin:complaints_complaint_changelist"))

    listed = list(response.context["cl"].result_list)
    assert listed == [overdue, later]


def test_it_matches_a_member_when_the_desk_corrects_the_number(sign_in, desk):
    member = MemberFactory(symbol="3003", number="9")
    complaint = ComplaintFactory(member_symbol="3003", member_number="8")
    client = sign_in(desk)

    client.post(
        reverse("admin:complaints_complaint_change", args=[complaint.pk]),
        {"member_symbol": "3003", "member_number": "9", "cause": "", "response": ""},
    )

    complaint.refresh_from_db()
    assert complaint.member == member
    event = Event.objects.get(action=Action.COMPLAINTS_COMPLAINT_CHANGED)
    assert "member_number" in event.details["fields"]


def test_it_moves_a_complaint_with_the_buttons_on_its_page(sign_in, desk):
    complaint = ComplaintFactory()
    client = sign_in(desk)
    url = reverse("admin:complaints_complaint_move", args=[complaint.pk, "acknowledged"])

    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    assert url in page.content.decode()
    client.post(url, {"_state": "received", "_confirm": "1"})

    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.ACKNOWLEDGED


def test_mynumber_act_a_note_or_answer_with_a_my_number_is_refused(sign_in, desk):
    # 番号法第20条: neither what the desk writes down nor its answer keeps a 個人番号.
    complaint = ComplaintFactory()
    client = sign_in(desk)
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in {**form.initial, "response": "番号 123456789018 を確認しました"}.items()
        if value is not None and name in form.fields
    }
    data.update({"received_at_0": "2026-04-01", "received_at_1": "09:30:00"})

    response = client.post(url, data)

    assert response.status_code == 200
    assert "個人番号（マイナンバー）と思われる12桁の番号" in response.text
    complaint.refresh_from_db()
    assert "123456789018" not in complaint.response
