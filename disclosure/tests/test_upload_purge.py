"""Uploads left on an abandoned confirmation page are deleted once they can no longer be
attached (APPI Art. 22), files and all, and each deletion is audited."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import Event
from audit.vocabulary import Action
from disclosure.models import IdentityDocument, Request
from disclosure.services import documents_purge
from disclosure.tests.factories import RequestFactory
from disclosure.tests.test_filing import FULL_WIDTH, draft_of

pytestmark = pytest.mark.django_db


def uploaded(client, jpeg):
    """Fill the form with an identity document and stop at the confirmation page."""
    response = client.post("/requests/new/", {**FULL_WIDTH, "identity_document": jpeg()})
    assert "入力内容の確認" in response.content.decode()
    return response, IdentityDocument.objects.get()


def age(document, *, hours: float = 0, minutes: float = 0) -> None:
    IdentityDocument.objects.filter(pk=document.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(hours=hours, minutes=minutes)
    )


def test_it_deletes_an_abandoned_upload_and_its_file_and_audits_it(
    client, jpeg, django_capture_on_commit_callbacks
):
    _, document = uploaded(client, jpeg)
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)
    age(document, minutes=46)  # past the half hour's wait and the purge's quarter of an hour

    with django_capture_on_commit_callbacks(execute=True):
        output = StringIO()
        call_command("purge_uploads", stdout=output)

    assert "purged 1 unconfirmed upload(s)" in output.getvalue()
    assert not IdentityDocument.objects.exists()
    assert not storage.exists(name)
    event = Event.objects.get(action=Action.DISCLOSURE_DOCUMENT_PURGED)
    assert event.target_id == str(document.pk) and event.actor_kind == "system"
    assert event.details == {"role": "identity"}


def test_it_keeps_uploads_still_waiting_and_those_attached_to_a_request(client, jpeg):
    _, waiting = uploaded(client, jpeg)
    age(waiting, minutes=40)  # past the form's wait, within the purge's quarter of an hour
    attached = IdentityDocument.objects.create(
        request=RequestFactory(), role="identity", content_type="image/jpeg", size=1, sha256="0"
    )
    age(attached, hours=24 * 400)

    assert documents_purge() == 0
    assert set(IdentityDocument.objects.values_list("pk", flat=True)) == {waiting.pk, attached.pk}
    assert not Event.objects.filter(action=Action.DISCLOSURE_DOCUMENT_PURGED).exists()


def test_a_confirmation_after_the_wait_asks_for_the_document_again(client, jpeg):
    response, document = uploaded(client, jpeg)
    # Each step renews the signed field that carries the upload: the wait runs from the upload.
    age(document, minutes=31)

    response = client.post("/requests/confirm/", {"draft": draft_of(response), "send": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_identity_document"' in page
    assert "提出済みです" not in page
    assert not Request.objects.exists()


def test_a_confirmation_within_the_wait_attaches_the_upload(client, jpeg):
    response, document = uploaded(client, jpeg)
    age(document, minutes=29)

    response = client.post("/requests/confirm/", {"draft": draft_of(response), "send": "1"})

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.request == Request.objects.get()
