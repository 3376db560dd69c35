"""The access review: reads by purpose, category, handler and surface, and each kind of
unusual read caught, each row leading to the events behind it."""

import datetime

import pytest
from django.utils import timezone

from audit.models import Event
from audit.vocabulary import Action
from purposes.models import Purpose
from records import gate
from safeguards.models import StatutoryGround

from .conftest import jst, next_holiday_on_a_weekday, next_working_day, period_query, table

pytestmark = pytest.mark.django_db

KENSHIN = "checkup-reminder"


@pytest.fixture
def days():
    today = timezone.localdate()
    working = next_working_day(today)
    holiday = next_holiday_on_a_weekday(today)
    return {"working": working, "holiday": holiday, "start": today, "end": holiday}


def test_it_counts_reads_by_purpose_category_handler_and_surface(
    as_auditor, read, days, handler_kenshin, kenshin_and_receipt, register
):
    read(handler_kenshin, jst(days["working"], 10), purpose=KENSHIN)
    read(handler_kenshin, jst(days["working"], 11), purpose=KENSHIN, surface=gate.Surface.API)

    page = as_auditor.get(f"/reports/access/?{period_query(days['start'], days['end'])}")

    assert page.status_code == 200
    purpose = Purpose.objects.get(code=KENSHIN).name
    assert table(page, "利用目的別の閲覧") == [[purpose, "2", "2"]]
    assert table(page, "類型別の閲覧") == [[register["health-checks"].name, "2"]]
    assert table(page, "担当者別の閲覧") == [["handler_kenshin", "2", "2", "0", "0"]]
    assert sorted(table(page, "経路別の閲覧")) == [["API", "1", "1"], ["管理画面", "1", "1"]]


def test_it_lists_reads_outside_office_hours_including_a_holiday(
    as_auditor, read, days, handler_kenshin, kenshin_and_receipt
):
    read(handler_kenshin, jst(days["working"], 10), purpose=KENSHIN)  # in hours
    read(handler_kenshin, jst(days["working"], 8, 29), purpose=KENSHIN)  # before 8:30
    read(handler_kenshin, jst(days["working"], 18, 0), purpose=KENSHIN)  # at closing
    read(handler_kenshin, jst(days["holiday"], 11), purpose=KENSHIN)  # a public holiday

    page = as_auditor.get(f"/reports/access/?{period_query(days['start'], days['end'])}")

    assert table(page, "勤務時間外の閲覧") == [
        ["handler_kenshin", days["working"].isoformat(), "2", "2"],
        ["handler_kenshin", days["holiday"].isoformat(), "1", "1"],
    ]
    drill = _links(page, "勤務時間外の閲覧")[1]
    events = as_auditor.get(drill)
    assert [row[0] for row in table(events, "監査イベント")] == [
        str(e.seq)
        for e in Event.objects.filter(action=Action.RECORDS_ACCESS_READ).order_by("seq")
        if timezone.localdate(e.at) == days["holiday"]
    ]


def test_it_flags_large_reads_and_days_far_above_the_handlers_median(
    as_auditor, read, days, handler_kenshin, kenshin_and_receipt, settings, register
):
    from records.tests.factories import RecordFactory

    settings.REPORTS_LARGE_READ_ROWS = 2
    settings.REPORTS_VOLUME_FACTOR = 2
    settings.REPORTS_VOLUME_MIN_ROWS = 3
    first = days["working"]
    for offset in range(3):  # three ordinary days of one row each
        read(handler_kenshin, jst(first + datetime.timedelta(days=offset), 10), purpose=KENSHIN)
    RecordFactory.create_batch(
        4, member=kenshin_and_receipt["checked"], category=register["health-checks"]
    )
    busy = first + datetime.timedelta(days=3)
    read(handler_kenshin, jst(busy, 10), purpose=KENSHIN)  # 5 rows in one read

    page = as_auditor.get(f"/reports/access/?{period_query(days['start'], busy)}")

    assert table(page, "大量閲覧") == [["handler_kenshin", "1"]]
    assert table(page, "通常より著しく多い閲覧") == [
        ["handler_kenshin", busy.isoformat(), "5", "1.0"]
    ]
    large = as_auditor.get(_links(page, "大量閲覧")[0])
    assert len(table(large, "監査イベント")) == 1


def test_it_lists_statutory_reads_with_their_ground_and_reason(
    as_auditor, read, days, handler_kenshin, kenshin_and_receipt
):
    reason = "裁判所の文書送付嘱託に応じるため"
    read(
        handler_kenshin,
        jst(days["working"], 10),
        statutory=gate.Statutory(ground=StatutoryGround.LAW, reason=reason),
    )

    page = as_auditor.get(f"/reports/access/?{period_query(days['start'], days['end'])}")

    event = Event.objects.get(action=Action.RECORDS_ACCESS_READ)
    [row] = table(page, "法令に基づく例外による閲覧")
    assert row[0] == str(event.seq)
    assert row[3:] == [str(StatutoryGround.LAW.label), reason, "1"]
    assert table(page, "利用目的別の閲覧")[0][0].startswith("法令に基づく例外")


def test_it_lists_refused_attempts_by_reason(
    as_auditor, refused, days, handler_kenshin, outsider, register, privacy_officer
):
    from django.contrib.auth.models import User

    moment = jst(days["working"], 10)
    assert refused(outsider, moment, purpose=KENSHIN) == "out_of_scope"
    not_permitted = refused(handler_kenshin, moment, purpose="benefit-review-and-payment")
    assert not_permitted == "purpose_not_permitted"
    untrained = User.objects.create_user("untrained", is_staff=True)
    assert refused(untrained, moment, purpose=KENSHIN) == "standing_lapsed"

    page = as_auditor.get(f"/reports/access/?{period_query(days['start'], days['end'])}")

    rows = {(row[0], row[1]) for row in table(page, "拒否されたアクセス")}
    assert rows == {
        ("outsider", "担当範囲外"),
        ("handler_kenshin", "利用目的が認められていない"),
        ("untrained", "誓約書・研修の未了又は失効"),
    }


def _links(response, title: str) -> list[str]:
    for section in response.context["sections"]:
        if section["table"].title.startswith(title):
            return [link for _row, link in section["rows"]]
    raise AssertionError(title)


def test_each_rows_drill_down_lists_as_many_events_as_the_row_counts(
    as_auditor, read, days, handler_kenshin, kenshin_and_receipt
):
    read(handler_kenshin, jst(days["working"], 10), purpose=KENSHIN)
    read(handler_kenshin, jst(days["working"], 20), purpose=KENSHIN, surface=gate.Surface.API)
    read(
        handler_kenshin,
        jst(days["holiday"], 10),
        statutory=gate.Statutory(
            ground=StatutoryGround.LIFE, reason="救急搬送先からの照会", condition_confirmed=True
        ),
    )

    page = as_auditor.get(f"/reports/access/?{period_query(days['start'], days['end'])}")

    for title in ("利用目的別の閲覧", "類型別の閲覧", "担当者別の閲覧", "経路別の閲覧"):
        for row, link in zip(table(page, title), _links(page, title), strict=True):
            listed = table(as_auditor.get(link), "監査イベント")
            assert len(listed) == int(row[1]), (title, row)


def test_a_long_table_stops_at_the_limit_with_a_note_in_the_page_and_the_export(
    as_auditor, refused, days, handler_kenshin, outsider, monkeypatch
):
    moment = jst(days["working"], 10)
    refused(outsider, moment, purpose=KENSHIN)
    refused(outsider, moment, purpose=KENSHIN)
    refused(handler_kenshin, moment, purpose="benefit-review-and-payment")
    monkeypatch.setattr("reports.selectors.events.LIMIT", 1)
    query = period_query(days["start"], days["end"])

    page = as_auditor.get(f"/reports/access/?{query}")
    export = as_auditor.get(f"/reports/access/?{query}&format=csv").content.decode("utf-8-sig")

    kenshin = Purpose.objects.get(code=KENSHIN).name
    assert table(page, "拒否されたアクセス") == [
        ["outsider", "担当範囲外", kenshin, "管理画面", "2"]
    ]
    [section] = [s for s in page.context["sections"] if s["table"].title == "拒否されたアクセス"]
    assert section["table"].note == "上位1件（全2件中）を表示しています。期間を絞ってください。"
    assert "outsider,担当範囲外" in export and "handler_kenshin,利用目的" not in export


def test_a_desks_filings_read_and_refused_appear_in_the_review(
    as_auditor, clock, days, handler_kenshin, handler_receipt
):
    from complaints.models import Complaint
    from complaints.tests.factories import ComplaintFactory

    ComplaintFactory()
    moment = jst(days["working"], 10)
    with clock(moment), gate.ledger():
        access = gate.open_desk(user=handler_kenshin, desk="complaints")
        assert len(list(gate.filings(access, Complaint.objects.all()))) == 1
    with clock(moment), pytest.raises(gate.OutOfDesk), gate.ledger():
        gate.open_desk(user=handler_receipt, desk="complaints")

    page = as_auditor.get(f"/reports/access/?{period_query(days['start'], days['end'])}")

    assert table(page, "利用目的別の閲覧") == [["窓口に届いた請求・苦情の閲覧", "1", "1"]]
    assert table(page, "担当者別の閲覧") == [["handler_kenshin", "1", "1", "0", "0"]]
    refusals = {(row[0], row[1]) for row in table(page, "拒否されたアクセス")}
    assert refusals == {("handler_receipt", "窓口の担当外")}


def test_art33_reads_to_answer_a_request_are_one_row_per_request_apart_from_exceptions(
    as_auditor, clock, days, handler_kenshin, bare_officer, kenshin_and_receipt
):
    """Handling one request opens its pages many times: routine work the Act requires
    (Art. 33), counted once per request, never among the exceptional reads (Art. 18(3))."""
    from disclosure.access import statutory_access
    from disclosure.tests.factories import RequestFactory

    member = kenshin_and_receipt["checked"]
    request = RequestFactory(member=member)
    for hour in (10, 11, 14):
        with clock(jst(days["working"], hour)), gate.ledger():
            list(gate.records(statutory_access(request, bare_officer)))
    with clock(jst(days["working"], 15)), gate.ledger():
        access = gate.open_access(
            user=handler_kenshin,
            surface=gate.Surface.ADMIN,
            statutory=gate.Statutory(
                ground=StatutoryGround.LIFE, reason="救急搬送先からの照会", condition_confirmed=True
            ),
        )
        list(gate.records(access))

    page = as_auditor.get(f"/reports/access/?{period_query(days['start'], days['end'])}")

    [handled] = table(page, "開示等の請求への対応のための閲覧")
    assert handled[:4] == [request.receipt_number, "3", handled[2], "privacy_officer"]
    [exception] = table(page, "法令に基づく例外による閲覧")
    assert exception[3] == str(StatutoryGround.LIFE.label)
    purposes = {row[0]: row[1] for row in table(page, "利用目的別の閲覧")}
    assert purposes["開示等の請求への対応（法令に基づく閲覧）"] == "3"
    assert purposes[f"法令に基づく例外：{StatutoryGround.LIFE.label}"] == "1"
    for title, expected in (("開示等の請求への対応のための閲覧", 3), ("利用目的別の閲覧", None)):
        for link in _links(page, title):
            listed = table(as_auditor.get(link), "監査イベント")
            if expected:
                assert len(listed) == expected
            else:
                assert len(listed) in (1, 3)
