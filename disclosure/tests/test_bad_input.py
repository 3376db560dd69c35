"""Whatever reaches the form, the confirmation or the status page, the answer is a page,
never a 500; every filing that passes the confirmation is stored with a receipt number."""

import re
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from disclosure.models import Request

from .conftest import JPEG
from .test_filing import FULL_WIDTH, draft_of

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
typed = (
    text
    | st.text(max_size=3).map(lambda s: s * 2000)  # oversized
    | st.binary(max_size=200).map(lambda b: b.decode("latin-1"))  # binary-ish
    | st.sampled_from(["\x00", "１２", "令和元年２月３０日", "昭和６５年", "-1", "on", "　"])
)
FIELDS = [
    *FULL_WIDTH,
    *("filer", "narrow", "grounds", "categories", "period_from", "agent_name", "uploads"),
]
upload = st.none() | st.binary(max_size=2048).map(
    lambda b: SimpleUploadedFile("x.jpg", b, "image/jpeg")
)


# Fields where people write what they like: most such filings pass and must be stored.
FREE_TEXT = ["name", "address", "grounds", "correction_current_1", "correction_requested_1"]
valid_document = st.just(None).map(lambda _: SimpleUploadedFile("id.jpg", JPEG, "image/jpeg"))


@FUZZ
@given(
    changed=st.dictionaries(st.sampled_from(FIELDS), typed | st.lists(typed, max_size=3))
    | st.dictionaries(st.sampled_from(FREE_TEXT), text, min_size=1),
    document=upload | valid_document,
)
def test_the_form_answers_every_input_and_files_what_it_confirms(client, changed, document):
    # Categories and period asked for (the first step's 指定する), so that they are checked.
    data = {**FULL_WIDTH, "narrow": "on", **changed}
    if document is not None:
        data["identity_document"] = document
    before = Request.objects.count()
    response = client.post("/requests/new/", data)
    assert response.status_code == 200
    if 'name="draft"' not in response.content.decode():
        event("refused with a message")
        assert Request.objects.count() == before
        return
    event("confirmed and filed")
    response = client.post("/requests/confirm/", {"draft": draft_of(response), "send": "1"})
    assert response.status_code == 302 and response.url == "/requests/done/"
    assert Request.objects.count() == before + 1
    receipt = re.search(
        r'id="receipt-number">([^<]+)<', client.get("/requests/done/").content.decode()
    )
    assert Request.objects.filter(receipt_number=receipt.group(1)).exists()


@FUZZ
@given(draft=typed, edit=st.booleans())
def test_the_confirmation_refuses_a_draft_it_did_not_sign(client, draft, edit):
    data = {"draft": draft, "edit" if edit else "send": "1"}
    response = client.post("/requests/confirm/", data)
    assert response.status_code == 200
    assert not Request.objects.exists()


@FUZZ
@given(receipt=typed, token=typed, post=st.booleans())
def test_the_status_page_answers_any_receipt_and_token(client, receipt, token, post):
    cache.clear()  # each example starts under the attempts limit
    url = f"/requests/status/{quote(receipt, safe='') or 'x'}/"
    response = client.post(url, {"token": token}) if post else client.get(url, {"t": token})
    assert response.status_code in (200, 404)
    download = client.post(url + "download/", {"birth_date": token})
    assert download.status_code == 404
