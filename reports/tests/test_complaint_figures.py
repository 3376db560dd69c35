"""The desk's monthly summary and the auditors' overview give the same complaint figures for
the same month: both call complaints.summary.answers."""

import datetime
import re

import pytest
from django.test import Client

from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from safeguards.roles import Role
from safeguards.testing import make_staff, sign_in_verified

from .conftest import TOKYO, period_query, table

pytestmark = pytest.mark.django_db


def april(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 4, day, 10, tzinfo=TOKYO)


def test_the_summary_and_the_overview_give_one_median_days_to_answer(as_auditor):
    for received, responded, state in (
        (april(1), april(11), Complaint.State.CLOSED),  # 10 days
        (april(3), april(10), Complaint.State.RESPONDED),  # 7 days
        # Answered, reopened, then withdrawn: never answered in the end, so not counted.
        (april(2), april(30), Complaint.State.WITHDRAWN),
    ):
        ComplaintFactory(
            received_at=received,
            responded_at=responded,
            first_response_due=datetime.date(2026, 4, 9),
            answer_due=datetime.date(2026, 5, 1),
            state=state,
        )

    overview = as_auditor.get(
        f"/reports/?{period_query(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))}"
    )
    desk = Client()
    sign_in_verified(desk, make_staff("desk", Role.HANDLER))
    summary = desk.get("/admin/complaints/complaint/summary/?month=2026-04")

    assert ["回答までの日数（中央値）", "8.5"] in table(overview, "苦情：回答までの期間")
    assert re.search(r"回答までの日数（中央値）</th><td>8\.5</td>", summary.text)
