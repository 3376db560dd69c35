"""The monthly summary, checked against complaints made for it."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from complaints import summary
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def at(day, hour=10):
    return datetime.datetime(2026, 4, day, hour, tzinfo=TOKYO)


@pytest.fixture
def april(register):
    """Four complaints received in April 2026 (JST) and one on either side of it."""
    kenshin = register["health-checks"]
    made = [
        ComplaintFactory(
            received_at=at(1),
            acknowledged_at=at(2),
            responded_at=at(11),
            first_response_due=datetime.date(2026, 4, 8),
            answer_due=datetime.date(2026, 4, 30),
            subject=Complaint.Subject.HANDLING,
            channel=Complaint.Channel.WEB,
            category=kenshin,
            cause=Complaint.Cause.CLERICAL,
            state=Complaint.State.CLOSED,
        ),
        ComplaintFactory(
            received_at=at(3),
            acknowledged_at=at(7),
            responded_at=at(10),
            first_response_due=datetime.date(2026, 4, 10),
            answer_due=datetime.date(2026, 5, 1),
            subject=Complaint.Subject.HANDLING,
            channel=Complaint.Channel.PHONE,
            category=kenshin,
            cause=Complaint.Cause.CLERICAL,
            state=Complaint.State.RESPONDED,
        ),
        ComplaintFactory(
            received_at=at(10),
            acknowledged_at=at(20),  # after its due date: late
            first_response_due=datetime.date(2026, 4, 17),
            answer_due=datetime.date(2026, 5, 8),
            subject=Complaint.Subject.STAFF_CONDUCT,
            channel=Complaint.Channel.PHONE,
            state=Complaint.State.INVESTIGATING,
        ),
        # 00:30 JST on 1 May is still 30 April in UTC: it belongs to May.
        ComplaintFactory(received_at=datetime.datetime(2026, 5, 1, 0, 30, tzinfo=TOKYO)),
        ComplaintFactory(received_at=datetime.datetime(2026, 3, 31, 23, 59, tzinfo=TOKYO)),
        ComplaintFactory(
            received_at=at(30, 23),
            first_response_due=datetime.date(2026, 5, 12),
            answer_due=datetime.date(2026, 6, 1),
            subject=Complaint.Subject.OTHER,
            channel=Complaint.Channel.POST,
            state=Complaint.State.WITHDRAWN,
        ),
    ]
    return made


def test_it_counts_the_month_by_subject_channel_and_category(april):
    result = summary.monthly(datetime.date(2026, 4, 1), today=datetime.date(2026, 5, 20))

    assert result.total == 4
    assert {(r.label, r.count) for r in result.by_subject} == {
        ("個人情報の取扱い", 2),
        ("職員の対応", 1),
        ("その他", 1),
    }
    assert {(r.label, r.count) for r in result.by_channel} == {
        ("電話", 2),
        ("ウェブ", 1),
        ("郵送", 1),
    }
    assert {(r.label, r.count) for r in result.by_category} == {
        ("健康診査に関する情報", 2),
        ("指定なし", 2),
    }


def test_it_gives_the_median_times_and_the_late_ones(april):
    result = summary.monthly(datetime.date(2026, 4, 1), today=datetime.date(2026, 5, 20))

    assert result.median_days_to_first_response == 4.0  # 1, 4 and 10 days
    assert result.median_days_to_answer == 8.5  # 10 and 7 days
    assert result.late_first_response == 1
    assert result.late_answer == 1  # the third, still unanswered past 8 May


def test_it_names_the_causes_that_recur(april):
    result = summary.monthly(datetime.date(2026, 4, 1), today=datetime.date(2026, 5, 20))

    assert [(r.label, r.count) for r in result.causes] == [("事務処理の誤り", 2)]
    assert [(r.label, r.count) for r in result.recurring_causes] == [("事務処理の誤り", 2)]


def test_it_serves_the_summary_and_its_csv_in_the_admin(april, sign_in, desk):
    client = sign_in(desk)
    url = reverse("admin:complaints_complaint_summary")

    page = client.get(url, {"month": "2026-04"})
    csv = client.get(url, {"month": "2026-04", "format": "csv"})

    assert page.status_code == 200
    assert 'id="total">4<' in page.text
    assert csv["Content-Type"].startswith("text/csv")
    assert "件数,合計,4" in csv.content.decode()
    assert "苦情太郎" not in csv.content.decode() + page.text
