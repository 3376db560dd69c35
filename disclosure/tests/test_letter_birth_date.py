"""A letter names the requester, as the package does: the status page hands its PDF over only
after the birth date is entered again (issue 15), under the same tries limit; the status link
alone opens neither."""

import pytest

from audit.models import Event
from audit.vocabulary import Action
from disclosure import letters
from disclosure.models import Letter
from tests.pdf import pdf_words

from .factories import TOKEN, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(client):
    request = RequestFactory(name="山田花子")
    sent = letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    client.get(f"/requests/status/{request.receipt_number}/?t={TOKEN}")
    return request, f"/requests/status/{request.receipt_number}/letters/{sent.key}/"


def test_art33_the_status_link_alone_opens_no_letter(client, opened):
    request, url = opened
    page = client.get(f"/requests/status/{request.receipt_number}/").content.decode()
    assert f'formaction="{url}"' in page and "ご本人の生年月日" in page
    assert client.get(url).status_code == 405

    for typed, said in [
        ("", "生年月日は"),
        ("1980-01-03", "生年月日が一致しません。"),
    ]:
        response = client.post(url, {"birth_date": typed})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        assert said in response.content.decode()
    assert not Event.objects.filter(action=Action.DISCLOSURE_LETTER_READ).exists()


def test_art33_the_birth_date_opens_the_letter_naming_the_requester(client, opened):
    _request, url = opened
    response = client.post(url, {"birth_date": "昭和55年1月2日"})
    assert response["Content-Type"] == "application/pdf"
    assert "山田花子" in pdf_words(b"".join(response))
    assert Event.objects.filter(action=Action.DISCLOSURE_LETTER_READ).count() == 1


def test_a_letter_of_a_page_not_opened_is_not_found(client, opened):
    _request, url = opened
    client.cookies.clear()
    assert client.post(url, {"birth_date": "1980-01-02"}).status_code == 404
