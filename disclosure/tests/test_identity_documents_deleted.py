"""A copy of an identity document is needed only until the identity check has matched the
member (APPI Art. 22; 健康保険組合等における個人情報の適切な取扱いのためのガイダンス Q&A): the
match deletes the request's documents, files included, each deletion in the trail."""

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
