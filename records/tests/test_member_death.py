"""A member's death, recorded by staff on the member's page: audited as any member edit
(digests only), shown on the page, refused before the birth or in the future; the import,
which does not carry it, never clears it."""

import datetime

import pytest
from django.urls import reverse

from audit.models import Event
from audit.vocabulary import Action

from .test_handler_admin import handler, suzuki  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _edit(member, **changes) -> dict:
    fields = {
        "symbol": member.symbol,
        "number": member.number,
        "branch": member.branch,
        "name": member.name,
        "name_kana": member.name_kana,
        "birth_date": member.birth_date.isoformat(),
        "sex": member.sex,
        "relationship": member.relationship,
        "employer": member.employer,
        "acquired_on": member.acquired_on.isoformat(),
        "lost_on": "",
        "died_on": "",
    }
    return {**fields, **changes}


def test_staff_record_a_members_death_on_the_member_page(handler, suzuki):  # noqa: F811
    url = reverse("admin:records_member_change", args=[suzuki.pk])
    response = handler.post(f"{url}?edit=1", _edit(suzuki, died_on="2026-01-15"))
    assert response.status_code == 302
    suzuki.refresh_from_db()
    assert suzuki.died_on == datetime.date(2026, 1, 15)
    event = Event.objects.filter(action=Action.RECORDS_MEMBER_CHANGED).latest("id")
    assert list(event.details["changes"]) == ["died_on"]
    assert "2026-01-15" not in str(event.details)  # a digest, never the date
    page = handler.get(url).content.decode()
    assert "死亡日" in page and "2026年1月15日" in page


@pytest.mark.parametrize(
    ("died_on", "message"),
    [
        ("1900-01-01", "死亡日は生年月日より後の日にしてください。"),
        ("2999-01-01", "死亡日に今日より後の日は入力できません。"),
        ("昨日", "日付を正しく入力してください。"),
    ],
)
def test_a_death_before_the_birth_or_in_the_future_is_refused(
    handler,  # noqa: F811
    suzuki,  # noqa: F811
    died_on,
    message,
):
    url = reverse("admin:records_member_change", args=[suzuki.pk])
    page = handler.post(f"{url}?edit=1", _edit(suzuki, died_on=died_on)).content.decode()
    assert message in page
    suzuki.refresh_from_db()
    assert suzuki.died_on is None
