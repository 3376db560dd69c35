"""Staff enter paper requests with the public form's validation; overdue requests first."""

import datetime
import re

import pytest

from disclosure.models import IdentityDocument, Request

from .factories import RequestFactory
from .test_filing import FULL_WIDTH

pytestmark = pytest.mark.django_db


def test_it_files_a_paper_request_with_the_same_validation(sign_in, superuser):
    client = sign_in(superuser)
    response = client.post(
        "/admin/disclosure/request/add/",
        {**FULL_WIDTH, "channel": "post", "received_on": "令和８年４月１日", "name": ""},
    )
    assert "氏名" in response.content.decode() and Request.objects.count() == 0
    response = client.post(
        "/admin/disclosure/request/add/",
        {**FULL_WIDTH, "channel": "post", "received_on": "令和８年４月１日"},
    )
    filed = Request.objects.get()
    assert response.status_code == 302
    assert filed.channel == "post" and filed.created_by == superuser
    assert filed.member_number == "23"
    assert filed.due_on == datetime.date(2026, 5, 1)


def test_a_scanned_document_is_kept_when_the_page_comes_back_with_errors(sign_in, superuser, jpeg):
    client = sign_in(superuser)
    paper = {**FULL_WIDTH, "channel": "post", "received_on": "令和８年４月１日"}

    response = client.post(
        "/admin/disclosure/request/add/", {**paper, "name": "", "identity_document": jpeg()}
    )
    page = response.content.decode()
    kept = re.search(r'name="uploads" value="([^"]+)"', page).group(1)
    assert "提出済みです" in page and Request.objects.count() == 0

    response = client.post("/admin/disclosure/request/add/", {**paper, "uploads": kept})

    assert response.status_code == 302
    assert IdentityDocument.objects.get().request == Request.objects.get()


def test_it_lists_overdue_requests_first(sign_in, superuser):
    late = RequestFactory(due_on=datetime.date(2020, 1, 1))
    RequestFactory(due_on=datetime.date(2019, 1, 1), state=Request.State.WITHDRAWN)
    on_time = RequestFactory()
    page = sign_in(superuser).get("/admin/disclosure/request/").content.decode()
    assert page.index(late.receipt_number) < page.index(on_time.receipt_number)
