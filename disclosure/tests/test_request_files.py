"""What a request's handlers open of its files: the identity documents (shown on the 本人確認
page), the letters sent (listed with the address, to print for post); each addressed by an
unguessable key, each view an `access.read` event, and nobody outside the requests desk
served (refused, audited)."""

import pytest
from django.core.files.base import ContentFile

from audit.models import Event
from audit.vocabulary import Action
from disclosure import letters
from disclosure.models import IdentityDocument, Letter, Request

from .conftest import JPEG
from .factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed():
    request = RequestFactory(state=Request.State.IDENTITY_CHECK, channel=Request.Channel.POST)
    document = IdentityDocument(
        request=request, role=IdentityDocument.Role.IDENTITY, content_type="image/jpeg"
    )
    document.size, document.sha256 = len(JPEG), "0" * 64
    document.file.save("licence.jpg", ContentFile(JPEG))
    letter = letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    return request, document, letter


def test_the_identity_check_page_shows_the_document(sign_in, officer, filed):
    request, document, _letter = filed
    page = sign_in(officer).post(
        f"/admin/disclosure/request/{request.pk}/move/review/", {"_state": request.state}
    )
    html = page.content.decode()
    assert f'<img src="/admin/disclosure/request/documents/{document.key}/"' in html
    assert "本人確認書類" in html and "山田花子" in html


def test_opening_a_document_is_an_access_read(sign_in, handler_kenshin, filed):
    _request, document, _letter = filed
    response = sign_in(handler_kenshin).get(f"/admin/disclosure/request/documents/{document.key}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    event = Event.objects.get(action=Action.RECORDS_ACCESS_READ)
    assert event.actor_id == handler_kenshin.pk
    assert event.details == {
        "surface": "admin",
        "desk": "requests",
        "members": [],
        "categories": [],
        "rows": 1,
        "filings": {"identitydocument": [document.pk]},
    }


def test_a_document_is_not_found_by_its_sequential_id(sign_in, handler_kenshin, filed):
    _request, document, _letter = filed
    response = sign_in(handler_kenshin).get(
        f"/admin/disclosure/request/documents/{document.pk}/", follow=True
    )
    assert not response.streaming and JPEG not in response.content  # no such request either


@pytest.mark.parametrize("persona", ["auditor", "superuser"])
def test_staff_outside_the_desk_are_refused_and_the_refusal_is_logged(
    persona, sign_in, request, filed
):
    _request, document, letter = filed
    user = request.getfixturevalue(persona)
    client = sign_in(user)
    urls = (
        f"/admin/disclosure/request/documents/{document.key}/",
        f"/admin/disclosure/request/letters/{letter.key}/",
        f"/admin/disclosure/request/{letter.request_id}/letters/",
    )
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403
        assert "開示等請求窓口" in response.content.decode()
    assert not Event.objects.filter(action=Action.RECORDS_ACCESS_READ).exists()
    refused = Event.objects.filter(action=Action.RECORDS_ACCESS_REFUSED, actor_id=user.pk)
    assert [e.details for e in refused] == [
        {"surface": "admin", "reason": "out_of_desk", "desk": "requests"}
    ] * len(urls)


def test_an_upload_not_yet_attached_is_not_served(sign_in, handler_kenshin):
    orphan = IdentityDocument(role="identity", content_type="image/jpeg", size=1, sha256="0")
    orphan.file.save("orphan.jpg", ContentFile(JPEG))
    response = sign_in(handler_kenshin).get(f"/admin/disclosure/request/documents/{orphan.key}/")
    assert response.status_code == 404


def test_the_letters_are_listed_with_the_address_to_post_them_to(sign_in, officer, filed):
    request, _document, letter = filed
    client = sign_in(officer)
    change = client.get(f"/admin/disclosure/request/{request.pk}/change/").content.decode()
    assert f"/admin/disclosure/request/{request.pk}/letters/" in change

    html = client.get(f"/admin/disclosure/request/{request.pk}/letters/").content.decode()
    assert "〒100-0001" in html and "東京都千代田区千代田1-1" in html and "山田花子 様" in html
    assert "受付のお知らせ" in html and f"/admin/disclosure/request/letters/{letter.key}/" in html

    reads = Event.objects.filter(action=Action.RECORDS_ACCESS_READ).order_by("-seq")
    listed = reads.first()
    assert listed.details["filings"] == {"letter": [letter.pk], "request": [request.pk]}
    pdf = client.get(f"/admin/disclosure/request/letters/{letter.key}/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert reads.first().details["filings"] == {"letter": [letter.pk]}
