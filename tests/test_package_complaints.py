"""An Art. 33 package holds the complaints kept about the member (APPI Art. 33(1): all the
society holds about the person), read on the request's own access through the complaints
desk, whatever desks the staff member who carries it out holds."""

import datetime
import json

import pytest

from audit.models import Event
from audit.vocabulary import Action
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from disclosure.tests.test_what_the_member_receives import (
    _consulted,
    _decided_and_carried_out,
    _package,
    _request,
    member,  # noqa: F401  (the fixture)
)
from records.tests.factories import MemberFactory
from safeguards.models import Desk
from safeguards.roles import Role
from safeguards.scopes import grant_scope
from safeguards.testing import in_good_standing, make_staff
from tests.pdf import pdf_words

pytestmark = pytest.mark.django_db
JST = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture
def requests_desk_only(privacy_officer):
    """A handler on the requests desk, with no category and not on the complaints desk."""
    user = in_good_standing(make_staff("handler_requests", Role.HANDLER))
    grant_scope(user=user, desk=Desk.of(Desk.Code.REQUESTS), by=privacy_officer)
    return user


def test_art33_1_the_package_holds_the_complaints_kept_about_the_member(
    requests_desk_only,
    officer,
    member,  # noqa: F811
):
    answered = ComplaintFactory(
        member=member,
        received_at=datetime.datetime(2025, 9, 1, 10, tzinfo=JST),
        subject=Complaint.Subject.STAFF_CONDUCT,
        what_happened="窓口で健診結果を大きな声で読み上げられた。",
        state=Complaint.State.RESPONDED,
        responded_at=datetime.datetime(2025, 9, 20, 15, tzinfo=JST),
    )
    ComplaintFactory(
        member=member,
        received_at=datetime.datetime(2026, 1, 5, 9, tzinfo=JST),
        subject=Complaint.Subject.HANDLING,
        what_happened="通知が旧住所に届いた。",
        state=Complaint.State.INVESTIGATING,
    )
    ComplaintFactory(member=MemberFactory(), what_happened="別の加入者の申出。")
    request = _request(member)
    _consulted(request, requests_desk_only)
    request = _decided_and_carried_out(request, requests_desk_only, decided_by=officer)

    archive = _package(request)
    text = pdf_words(archive.read("disclosure.pdf"))
    assert "苦情の申出" in text
    for shown in (
        "令和7年9月1日",
        "職員の対応",
        "窓口で健診結果を大きな声で読み上げられた。",
        "回答済み",
        "令和7年9月20日",
        "令和8年1月5日",
        "通知が旧住所に届いた。",
        "調査中",
    ):
        assert shown in text, shown
    assert "別の加入者の申出" not in text
    held = json.loads(archive.read("member.json"))["complaints"]
    assert held == [
        {
            "received_on": "令和7年9月1日",
            "subject": "職員の対応",
            "what_happened": "窓口で健診結果を大きな声で読み上げられた。",
            "state": "回答済み",
            "responded_on": "令和7年9月20日",
        },
        {
            "received_on": "令和8年1月5日",
            "subject": "個人情報の取扱い",
            "what_happened": "通知が旧住所に届いた。",
            "state": "調査中",
            "responded_on": "",
        },
    ]
    # Read through the complaints desk, logged under the request, for this member only.
    read = Event.objects.get(action=Action.RECORDS_ACCESS_READ, details__desk="complaints")
    assert (read.target_type, read.target_id) == ("disclosure.request", str(request.pk))
    assert read.details["members"] == [member.pk]
    assert read.details["filings"] == {"complaint": [answered.pk, answered.pk + 1]}


def test_art33_1_a_member_without_complaints_gets_no_complaints_section(officer, member):  # noqa: F811
    request = _request(member)
    _consulted(request, officer)
    request = _decided_and_carried_out(request, officer)

    archive = _package(request)
    assert "苦情の申出" not in pdf_words(archive.read("disclosure.pdf"))
    assert json.loads(archive.read("member.json"))["complaints"] == []
