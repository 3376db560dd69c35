"""A copy of an identity document is needed only until the identity check has matched the
member (APPI Art. 22; 健康保険組合等における個人情報の適切な取扱いのためのガイダンス Q&A): the
match deletes the request's documents, files included, each deletion in the trail."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from audit.models import Event
from audit.vocabulary import Action
from core.workflow import transition
from disclosure import services
from disclosure.models import IdentityDocument, Request
from records import gate
from safeguards.testing import sign_in_verified

from .test_erasure import filed_for

pytestmark = pytest.mark.django_db


def test_art22_identity_documents_are_deleted_once_the_identity_check_matched_the_member(
    client, member, officer, django_capture_on_commit_callbacks
):
    request = filed_for(member)
    document = request.documents.get()
    name, key = document.file.name, document.key
    sign_in_verified(client, officer)
    assert client.get(f"/admin/disclosure/request/documents/{key}/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True), gate.ledger():
        transition(request, Request.State.IDENTITY_CHECK, by=officer)
        services.request_match(request=request, member=member, by=officer)

    request.refresh_from_db()
    assert request.state == Request.State.REVIEW and request.member == member
    assert not IdentityDocument.objects.filter(request=request).exists()
    assert not default_storage.exists(name)
    assert client.get(f"/admin/disclosure/request/documents/{key}/").status_code == 404
    purged = Event.objects.get(action=Action.DISCLOSURE_DOCUMENT_PURGED)
    assert purged.actor_id == officer.pk
    assert purged.details == {"role": "identity", "request": request.pk}


def test_art22_a_refused_match_keeps_the_documents(member, officer, register):
    from records.tests.factories import MemberFactory

    request = filed_for(member)
    with gate.ledger():
        transition(request, Request.State.IDENTITY_CHECK, by=officer)
        with pytest.raises(ValidationError):
            services.request_match(request=request, member=MemberFactory(), by=officer)

    assert request.documents.count() == 1


@pytest.mark.parametrize(
    ("before", "to", "note"),
    [
        (Request.State.IDENTITY_CHECK, Request.State.REJECTED, "本人確認書類の氏名が読めません。"),
        (Request.State.AWAITING_DOCUMENTS, Request.State.REJECTED, "期限までに届きません。"),
        (Request.State.RECEIVED, Request.State.WITHDRAWN, "電話で取下げの申出がありました。"),
        (Request.State.IDENTITY_CHECK, Request.State.WITHDRAWN, ""),
    ],
)
def test_art22_a_rejected_or_withdrawn_request_lets_its_documents_go(
    member, officer, django_capture_on_commit_callbacks, sign_in, before, to, note
):
    """Identity never to be confirmed: the copy is kept for nothing. The officer's button on
    the request's page deletes it as the match does, each deletion in the trail."""
    from .test_admin_moves import move

    request = filed_for(member, state=before)
    document = request.documents.get()
    name = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        _response, said = move(sign_in(officer), request, to, {"state_note": note})

    assert request.state == to, said
    assert not IdentityDocument.objects.filter(request=request).exists()
    assert not default_storage.exists(name)
    purged = Event.objects.get(action=Action.DISCLOSURE_DOCUMENT_PURGED)
    assert purged.actor_id == officer.pk
    assert purged.details == {"role": "identity", "request": request.pk}
    assert Event.objects.filter(
        action=Action.DISCLOSURE_REQUEST_MOVED, target_id=str(request.pk)
    ).exists()


def test_art22_the_hourly_purge_lets_go_the_documents_of_requests_closed_without_identity(
    member,
):
    """Requests rejected or withdrawn before their move deleted documents keep none after
    `purge_uploads`; a request still in its identity check keeps its own."""
    from django.core.management import call_command

    rejected = filed_for(member, state=Request.State.REJECTED)
    withdrawn = filed_for(member, state=Request.State.WITHDRAWN)
    waiting = filed_for(member, state=Request.State.IDENTITY_CHECK)

    call_command("purge_uploads", stdout=io.StringIO())

    assert not IdentityDocument.objects.filter(request__in=[rejected, withdrawn]).exists()
    assert waiting.documents.count() == 1
    assert Event.objects.filter(action=Action.DISCLOSURE_DOCUMENT_PURGED).count() == 2
