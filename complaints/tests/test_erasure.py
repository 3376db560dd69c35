"""消去 reaches complaints: a complaint linked to an erased member keeps a keyed digest of
what the complainant wrote about themselves, and the desk's handling; a dump of every table
holds none of the erased values afterwards, and the chain still verifies.

The member, the officer and the erasure come from disclosure's own erasure tests (imported
fixtures, hence F811 below).
"""

# ruff: noqa: F811

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from audit.models import Event
from audit.vocabulary import Action
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from disclosure import services
from disclosure.models import Kind
from disclosure.tests.conftest import NAME, _private_media, member, officer  # noqa: F401
from disclosure.tests.test_erasure import (
    ERASED,
    NO_LONGER_NEEDED,
    answer,
    dumpdata,
    filed_for,
    table_dump,
)
from records import gate
from records.models import Member

pytestmark = pytest.mark.django_db

COMPLAINT_ERASED = ["shoukyo.taro@example.jp", "消去太郎の通知が届かない", "消去町3-4"]


def complained_by(member, **extra) -> Complaint:
    return ComplaintFactory(
        member=member,
        is_member=True,
        name=NAME,
        email="shoukyo.taro@example.jp",
        address="東京都消去町3-4",
        member_symbol=member.symbol,
        member_number=member.number,
        what_happened="消去太郎の通知が届かない",
        what_wanted="説明してほしい",
        response="ご迷惑をおかけしました。",
        **extra,
    )


def erase(member, officer):
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with gate.ledger():
        answer(
            request,
            member,
            officer,
            [
                {
                    "kind": Kind.ERASURE,
                    "granted": True,
                    "case": NO_LONGER_NEEDED,
                    "whole_confirmed": True,
                }
            ],
            close=False,
        )
        services.request_close(request=request, by=officer)


def test_a_linked_complaint_keeps_its_handling_and_only_a_digest_of_the_person(member, officer):
    complaint = complained_by(member, state=Complaint.State.CLOSED)
    other = ComplaintFactory(state=Complaint.State.CLOSED)  # not the member's: untouched
    assert COMPLAINT_ERASED[0] in dumpdata()

    erase(member, officer)

    dumped = dumpdata() + table_dump()
    assert [value for value in ERASED + COMPLAINT_ERASED if value in dumped] == []
    assert not Member.objects.filter(pk=member.pk).exists()
    complaint.refresh_from_db()
    assert len(complaint.identity_digest) == 64 and complaint.member is None
    assert (complaint.name, complaint.email, complaint.member_number) == ("", "", "")
    assert complaint.what_happened == complaint.what_wanted == ""
    assert complaint.receipt_number.startswith("C") and complaint.state == Complaint.State.CLOSED
    assert complaint.subject == Complaint.Subject.HANDLING
    assert complaint.response == "ご迷惑をおかけしました。"
    other.refresh_from_db()
    assert other.name == "苦情太郎" and other.identity_digest == ""
    event = Event.objects.get(action=Action.COMPLAINTS_FILING_REDUCED)
    assert (
        event.target_id == str(complaint.pk)
        and event.details["digest"] == complaint.identity_digest
    )
    call_command("verify_audit", stdout=io.StringIO())


def test_it_waits_for_the_members_open_complaints(member, officer):
    complaint = complained_by(member, state=Complaint.State.INVESTIGATING)

    with pytest.raises(ValidationError, match="処理中の苦情"):
        erase(member, officer)

    assert Member.objects.filter(pk=member.pk).exists()
    complaint.refresh_from_db()
    assert complaint.name == NAME and complaint.identity_digest == ""
