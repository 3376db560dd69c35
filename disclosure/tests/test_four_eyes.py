"""Four eyes on what cannot be taken back: erasing a whole member (APPI Art. 35) and releasing a
package that holds 要配慮個人情報 (Art. 2(3)) wait for a second privacy officer's approval
(`safeguards.approvals`). Pressed in the admin, the carry-out is refused with the reason, the
request for approval is filed and kept; once another officer approves, it goes through."""

import datetime

import pytest
from django.contrib.messages import get_messages

from audit.models import Event
from audit.vocabulary import Action
from core.workflow import transition
from disclosure import services
from disclosure.models import Kind, Package, Request
from records import gate
from records.models import Member, Record
from safeguards import approvals
from safeguards.models import Approval
from safeguards.roles import Role
from safeguards.testing import make_staff, sign_in_verified

from .test_erasure import NO_LONGER_NEEDED, filed_for

pytestmark = pytest.mark.django_db


def decided(member, officer, items) -> Request:
    request = filed_for(member, kinds=sorted({item["kind"] for item in items}), grounds="不要")
    with gate.ledger():
        transition(request, Request.State.IDENTITY_CHECK, by=officer)
        services.request_match(request=request, member=member, by=officer)
        for record in Record.objects.filter(member=member, category__code="receipts"):
            services.consultation_record(
                request=request,
                by=officer,
                receipts=[record.pk],
                institution="照会先",
                asked_on=datetime.date(2026, 4, 2),
                answered_on=datetime.date(2026, 4, 3),
                hinders_care=False,
            )
        services.request_decide(request=request, items=items, reasons="", by=officer)
    request.refresh_from_db()
    return request


def carry_out(client, request):
    url = f"/admin/disclosure/request/{request.pk}/move/{Request.State.CARRIED_OUT}/"
    response = client.post(url, {"_state": request.state, "_confirm": "1"})
    request.refresh_from_db()
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("items", "kind", "words"),
    [
        (
            [
                {
                    "kind": Kind.ERASURE,
                    "granted": True,
                    "case": NO_LONGER_NEEDED,
                    "whole_confirmed": True,
                }
            ],
            Approval.Kind.MEMBER_ERASURE,
            "加入者全体の消去には、別の個人情報取扱責任者の承認が必要です",
        ),
        (
            [{"kind": Kind.DISCLOSURE, "granted": True}],
            Approval.Kind.PACKAGE_RELEASE,
            "要配慮個人情報を含む開示データの交付には、別の個人情報取扱責任者の承認が必要です",
        ),
    ],
    ids=["art35-whole-member-erasure", "art2-3-sensitive-package"],
)
def test_art35_and_art2_3_an_irreversible_step_waits_for_a_second_officer(
    client, member, officer, items, kind, words
):
    request = decided(member, officer, items)
    sign_in_verified(client, officer)

    messages = carry_out(client, request)

    assert request.state == Request.State.DECIDED
    assert any(words in m and "承認を依頼しました" in m for m in messages), messages
    assert Member.objects.filter(pk=member.pk).exists() and not Package.objects.exists()
    approval = Approval.objects.get(kind=kind, state=Approval.State.PENDING)
    assert approval.requested_by == officer and request.receipt_number in approval.description
    asked = Event.objects.get(action=Action.SAFEGUARDS_APPROVAL_REQUESTED)
    assert asked.actor_id == officer.pk and asked.details["kind"] == kind
    # Pressed again: the same request, not a second one.
    assert any("承認を依頼済みです" in m for m in carry_out(client, request))
    assert Approval.objects.filter(kind=kind).count() == 1
    # The officer who asked may not approve it.
    with pytest.raises(approvals.PermissionDenied):
        approvals.approve(approval=approval, by=officer)

    approvals.approve(approval=approval, by=make_staff("second_officer", Role.PRIVACY_OFFICER))
    carry_out(client, request)

    assert request.state == Request.State.CARRIED_OUT
    if kind == Approval.Kind.MEMBER_ERASURE:
        assert not Member.objects.filter(pk=member.pk).exists()
    else:
        assert Package.objects.filter(request=request).exists()
    assert Approval.objects.get(pk=approval.pk).used_at is not None
