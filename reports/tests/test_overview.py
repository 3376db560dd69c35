"""The overview's figures against data built for the fiscal year 2025 (2025-04-01 to
2026-03-31): requests, complaints, incidents, standing, inspections and actions."""

import datetime

import pytest
from django.contrib.auth.models import User

from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from disclosure.models import Kind, Request
from disclosure.tests.factories import RequestFactory
from records.tests.factories import MemberFactory
from safeguards.models import (
    AuditPlan,
    CorrectiveAction,
    Incident,
    Inspection,
    TrainingCourse,
    TrainingSession,
)
from safeguards.training import record_attendance, sign_pledge

from .conftest import TOKYO, period_query, table

pytestmark = pytest.mark.django_db

FY2025 = period_query(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, 10, 0, tzinfo=TOKYO)


def decided(received, due, decided_on, outcome, kinds, **extra) -> Request:
    return RequestFactory(
        kinds=kinds,
        received_at=received,
        due_on=due,
        decided_at=decided_on,
        outcome=outcome,
        state=Request.State.CLOSED,
        member=MemberFactory(),
        **extra,
    )


@pytest.fixture
def requests(db):
    decided(at(2025, 5, 1), datetime.date(2025, 5, 31), at(2025, 5, 11), "full", ["disclosure"])
    decided(
        at(2025, 6, 1),
        datetime.date(2025, 7, 1),
        at(2025, 7, 11),
        "partial",
        ["disclosure", "correction"],
    )
    decided(
        at(2025, 7, 1),
        datetime.date(2025, 7, 31),
        at(2025, 8, 20),
        "none",
        ["erasure"],
        extended_due_on=datetime.date(2025, 8, 30),
        extension_reason="医療機関への照会に時間を要するため",
    )
    RequestFactory(
        kinds=["purpose_notice"], received_at=at(2026, 3, 1), due_on=datetime.date(2026, 3, 20)
    )
    RequestFactory(received_at=at(2025, 3, 31), due_on=datetime.date(2025, 4, 30))  # before
    RequestFactory(
        received_at=at(2025, 9, 1),
        due_on=datetime.date(2025, 10, 1),
        state=Request.State.WITHDRAWN,
    )


def test_it_counts_requests_by_kind_and_outcome(as_auditor, requests):
    page = as_auditor.get(f"/reports/?{FY2025}")

    rows = {row[0]: row[1:] for row in table(page, "開示等の請求：種類別")}
    # full, partial, none, rejected, withdrawn, pending, total
    assert rows[str(Kind.DISCLOSURE.label)] == ["1", "1", "0", "0", "1", "0", "3"]
    assert rows[str(Kind.CORRECTION.label)] == ["0", "1", "0", "0", "0", "0", "1"]
    assert rows[str(Kind.ERASURE.label)] == ["0", "0", "1", "0", "0", "0", "1"]
    assert rows[str(Kind.PURPOSE_NOTICE.label)] == ["0", "0", "0", "0", "0", "1", "1"]


def test_it_gives_the_on_time_rate_and_the_median_days_to_decision(as_auditor, requests):
    page = as_auditor.get(f"/reports/?{FY2025}")

    assert table(page, "開示等の請求：期限の遵守") == [
        ["受け付けた請求", "5"],
        ["決定した請求", "3"],
        ["期限内に決定した割合", "66.7%"],  # the extension kept the erasure on time
        ["決定までの日数（中央値）", "40.0"],  # 10, 40, 50 days
        ["期限を過ぎて未決定の請求", "1"],
    ]


def test_it_counts_complaints_by_subject_and_times_the_answers(as_auditor):
    def complaint(received, responded, due, **extra):
        return ComplaintFactory(
            received_at=received,
            responded_at=responded,
            first_response_due=due - datetime.timedelta(days=21),
            answer_due=due,
            **extra,
        )

    complaint(at(2025, 5, 1), at(2025, 5, 11), datetime.date(2025, 5, 29))
    complaint(at(2025, 6, 1), at(2025, 7, 11), datetime.date(2025, 6, 29))  # late
    complaint(
        at(2026, 3, 1), None, datetime.date(2026, 3, 29), subject=Complaint.Subject.REQUEST
    )  # unanswered past its due date
    complaint(
        at(2025, 8, 1),
        None,
        datetime.date(2025, 8, 29),
        state=Complaint.State.WITHDRAWN,
        subject=Complaint.Subject.OTHER,
    )

    page = as_auditor.get(f"/reports/?{FY2025}")

    assert table(page, "苦情：申出の対象別") == [
        [str(Complaint.Subject.HANDLING.label), "2"],
        [str(Complaint.Subject.OTHER.label), "1"],
        [str(Complaint.Subject.REQUEST.label), "1"],
    ]
    assert table(page, "苦情：回答までの期間") == [
        ["受け付けた苦情（取下げを除く）", "3"],
        ["回答した苦情", "2"],
        ["回答までの日数（中央値）", "25.0"],
        ["回答期限を過ぎた苦情", "2"],
    ]


def test_it_says_which_incident_reports_met_their_deadlines(as_auditor, privacy_officer):
    reportable = Incident.objects.create(
        kind=Incident.Kind.LEAK,
        summary="持ち出し",
        discovered_at=at(2025, 5, 1),
        reported_by=privacy_officer,
        unlawful_purpose_suspected=True,
        state=Incident.State.FINAL_REPORTED,
        preliminary_reported_at=at(2025, 5, 4),  # within the 5 days
        final_reported_at=at(2025, 7, 15),  # after the 60 days (2025-06-30)
    )
    minor = Incident.objects.create(
        kind=Incident.Kind.LOSS,
        summary="紛失",
        discovered_at=at(2025, 9, 1),
        reported_by=privacy_officer,
        state=Incident.State.CLOSED,
    )

    page = as_auditor.get(f"/reports/?{FY2025}")

    assert table(page, "漏えい等事案と報告期限") == [
        [
            str(reportable.pk),
            "漏えい",
            str(Incident.State.FINAL_REPORTED.label),
            "2025-05-01",
            "2025-05-04",
            "期限内",
            "2025-06-30",
            "期限超過",
        ],
        [str(minor.pk), "滅失", "終結", "2025-09-01", "報告不要", "—", "—", "—"],
    ]


def test_art26_an_incident_still_assessed_shows_as_assessed_with_its_deadlines_running(
    as_auditor, privacy_officer
):
    """Until it is assessed, whether an incident must be reported (APPI Art. 26) is open:
    never 報告不要, and its deadlines run from the discovery."""
    assessing = Incident.objects.create(
        kind=Incident.Kind.LOSS,
        summary="紛失",
        discovered_at=at(2025, 9, 1),
        reported_by=privacy_officer,
        state=Incident.State.ASSESSING,
    )
    received = Incident.objects.create(
        kind=Incident.Kind.LEAK,
        summary="誤送付",
        discovered_at=at(2026, 3, 30),
        reported_by=privacy_officer,
    )

    rows = table(as_auditor.get(f"/reports/?{FY2025}"), "漏えい等事案と報告期限")

    assert rows == [
        [
            str(assessing.pk),
            "滅失",
            "評価中",
            "2025-09-01",
            "2025-09-04",
            "評価中（報告の要否が未定のまま期限超過）",
            "2025-10-01",
            "評価中（報告の要否が未定のまま期限超過）",
        ],
        [
            str(received.pk),
            "漏えい",
            "報告受付",
            "2026-03-30",
            "2026-04-02",
            "評価中（報告の要否は未定）",
            "2026-04-29",
            "評価中（報告の要否は未定）",
        ],
    ]
    assert "報告不要" not in as_auditor.get(f"/reports/?{FY2025}").content.decode()


def test_it_shows_pledge_and_training_standing_at_the_periods_end(as_auditor, privacy_officer):
    trained = User.objects.create_user("trained", is_staff=True, last_name="研修", first_name="済")
    User.objects.create_user("untrained", is_staff=True)
    sign_pledge(user=trained, version="2025", signed_on=datetime.date(2025, 4, 1), by=trained)
    course = TrainingCourse.objects.create(title="個人情報保護研修")
    session = TrainingSession.objects.create(course=course, held_on=datetime.date(2025, 4, 10))
    record_attendance(session=session, user=trained, score=90, by=trained)

    page = as_auditor.get(f"/reports/?{FY2025}")

    rows = {row[0]: row[1:] for row in table(page, "秘密保持誓約と研修")}
    assert rows["済 研修"] == ["2025-04-01", "2026-04-10", "有効", "要更新"]
    assert rows["untrained"] == ["—", "—", "未受講又は失効", ""]


def test_it_counts_inspections_audits_and_actions_open_and_overdue(as_auditor, privacy_officer):
    Inspection.objects.create(title="上期点検", scheduled_on=datetime.date(2025, 10, 1))
    AuditPlan.objects.create(
        title="監事監査",
        auditor="監事",
        scope="全般",
        planned_on=datetime.date(2025, 9, 1),
        status=AuditPlan.Status.CLOSED,
    )
    CorrectiveAction.objects.create(
        description="手順書の改訂", owner=privacy_officer, due_on=datetime.date(2026, 1, 31)
    )
    CorrectiveAction.objects.create(
        description="研修の追加",
        owner=privacy_officer,
        due_on=datetime.date(2025, 12, 1),
        status=CorrectiveAction.Status.DONE,
        completed_on=datetime.date(2025, 11, 20),
    )

    page = as_auditor.get(f"/reports/?{FY2025}")

    assert table(page, "自己点検・監事監査・是正措置") == [
        ["自己点検", "1", "1", "1"],
        ["監事監査", "1", "0", "—"],
        ["是正措置", "2", "1", "1"],
    ]
