"""A complaint is linked to the insured person its 記号・番号 names, by the gate: the link is
made only when exactly one 本人 holds the number, the public is told nothing either way,
and the trail records that the system matched, for which complaint, whether it matched,
and never the number itself.

That `complaints` cannot read members but through the gate is the import contract in
pyproject.toml ("Complaints read members only through the gate"), checked by lint-imports.
"""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from audit.trail import PUBLIC
from audit.vocabulary import Action
from complaints import services
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from records.tests.factories import DependentFactory, MemberFactory

pytestmark = pytest.mark.django_db

# Numbers unlike any id or date, so that finding one in the trail means it leaked.
SYMBOL, NUMBER = "73914", "58206"

FILED = {
    "name": "照合　花子",
    "email": "shougou@example.jp",
    "phone": "",
    "address": "",
    "subject": "handling",
    "what_happened": "保険証の記号番号で照合してほしい。",
    "is_member": "on",
    "member_symbol": SYMBOL,
    "member_number": NUMBER,
}


def matched_events(complaint: Complaint) -> list[Event]:
    return list(
        Event.objects.filter(
            action=Action.RECORDS_ACCESS_MATCHED,
            target_type="complaints.complaint",
            target_id=str(complaint.pk),
        )
    )


def trail_text() -> str:
    """Every event as an auditor exports it: what the trail would give away."""
    return "\n".join(
        json.dumps(
            [e.action, e.actor_kind, e.target_type, e.target_id, e.purpose, e.details],
            ensure_ascii=False,
        )
        for e in Event.objects.order_by("seq")
    )


def test_it_links_the_insured_person_and_records_the_match_without_the_number(submit_online):
    member = MemberFactory(symbol=SYMBOL, number=NUMBER, name="照合花子")

    submit_online({**FILED, "member_symbol": "７３９１４", "member_number": "５８２０６"})

    complaint = Complaint.objects.get()
    assert complaint.member == member
    (event,) = matched_events(complaint)
    assert (event.actor_kind, event.actor_id, event.purpose) == ("system", None, "")
    assert event.details == {
        "fields": ["number", "symbol"],
        "matched": True,
        "members": [member.pk],
    }
    received = Event.objects.get(action=Action.COMPLAINTS_COMPLAINT_RECEIVED)
    assert received.details["member_id"] == member.pk and received.seq > event.seq
    leaked = [v for v in (SYMBOL, NUMBER, "照合", "花子", "shougou") if v in trail_text()]
    assert leaked == []


def scrubbed(response) -> str:
    return re.sub(
        r'C\d{6}-\d{6}|id="status-url"[^<]+<|name="csrfmiddlewaretoken" value="[^"]+"',
        "",
        response.text,
    )


def test_an_ambiguous_or_unknown_number_links_no_one_and_the_public_cannot_tell(
    submit_online, run_worker
):
    # Two 本人 on one card: a register to be put right, never a guess between them.
    MemberFactory(symbol=SYMBOL, number=NUMBER, branch="00")
    MemberFactory(symbol=SYMBOL, number=NUMBER, branch="01")
    MemberFactory(symbol=SYMBOL, number="11111")

    pages = {}
    for case, number in {"ambiguous": NUMBER, "unknown": "99999", "unique": "11111"}.items():
        pages[case] = submit_online({**FILED, "member_number": number})
        run_worker()

    assert scrubbed(pages["ambiguous"]) == scrubbed(pages["unknown"]) == scrubbed(pages["unique"])
    bodies = {re.sub(r"受付番号：.*|照会用URL：.*", "", m.body) for m in mail.outbox}
    assert len(mail.outbox) == 3 and len(bodies) == 1
    for number in (NUMBER, "99999"):
        complaint = Complaint.objects.get(member_number=number)
        assert complaint.member is None
        (event,) = matched_events(complaint)
        assert event.details["matched"] is False and event.details["members"] == []
    assert Complaint.objects.get(member_number="11111").member is not None
    assert NUMBER not in trail_text() and "99999" not in trail_text()


def test_a_dependent_on_the_same_card_leads_to_the_insured_person(submit_online):
    dependent = DependentFactory(insured__symbol=SYMBOL, insured__number=NUMBER)

    submit_online(FILED)

    assert Complaint.objects.get().member == dependent.insured


def test_it_looks_nothing_up_when_no_number_was_given(submit_online):
    MemberFactory(symbol=SYMBOL, number=NUMBER)

    submit_online({**FILED, "is_member": "", "member_symbol": "", "member_number": ""})

    complaint = Complaint.objects.get()
    assert complaint.member is None
    assert matched_events(complaint) == []


def test_the_desk_correcting_the_number_is_matched_as_the_desk_members_act(sign_in, desk):
    member = MemberFactory(symbol=SYMBOL, number=NUMBER)
    complaint = ComplaintFactory(member_symbol=SYMBOL, member_number="1")
    client = sign_in(desk)
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])

    client.post(url, {"member_symbol": SYMBOL, "member_number": NUMBER, "cause": ""})
    client.post(url, {"member_symbol": SYMBOL, "member_number": "2", "cause": ""})

    complaint.refresh_from_db()
    assert complaint.member is None  # the second correction named no one: unlinked
    linked, unlinked = matched_events(complaint)
    # Typed by a member of staff: their look-up, not the system's.
    assert linked.actor_kind == unlinked.actor_kind == "user"
    assert linked.actor_id == unlinked.actor_id == desk.pk
    assert linked.details["members"] == [member.pk] and unlinked.details["matched"] is False
    changes = Event.objects.filter(action=Action.COMPLAINTS_COMPLAINT_CHANGED, actor_id=desk.pk)
    assert [e.details["member_id"] for e in changes.order_by("seq")] == [member.pk, None]
    assert NUMBER not in trail_text()


def test_a_filing_that_fails_leaves_no_match_behind(monkeypatch):
    MemberFactory(symbol=SYMBOL, number=NUMBER)

    def fail(**_kwargs):
        raise RuntimeError("the trail is unavailable")

    monkeypatch.setattr(services, "append", fail)  # the complaint's own event, after the match
    complaint = Complaint(
        name="照合花子",
        email="shougou@example.jp",
        subject=Complaint.Subject.HANDLING,
        what_happened="照合してほしい。",
        member_symbol=SYMBOL,
        member_number=NUMBER,
    )
    with pytest.raises(RuntimeError):
        services.complaint_file(
            complaint=complaint,
            channel=Complaint.Channel.WEB,
            received_at=timezone.now(),
            base_url="http://testserver/",
            by=PUBLIC,
        )

    assert not Complaint.objects.exists()
    assert not Event.objects.filter(action=Action.RECORDS_ACCESS_MATCHED).exists()
