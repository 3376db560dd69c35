"""The request's page reads like a case file and the worklist like a worklist: kinds by their
Japanese names, the machinery (token hash, submission key) kept out, fields in groups, and a
mark only on the requests that are overdue."""

import datetime

import pytest
from django.utils import timezone

from disclosure.models import Kind, Request

from .factories import RequestFactory

pytestmark = pytest.mark.django_db


def test_the_request_page_reads_like_a_case_file(sign_in, officer):
    request = RequestFactory(
        kinds=[Kind.PURPOSE_NOTICE, Kind.DISCLOSURE], submission_key="k" * 32, fee_yen=300
    )
    html = sign_in(officer).get(f"/admin/disclosure/request/{request.pk}/change/").content.decode()
    assert "利用目的の通知・開示" in html
    machinery = ("Kind の値のリスト", request.token_hash, "k" * 32, "トークン", "ダイジェスト")
    case_file = html[html.index('id="content-start"') :]  # the admin's menu names APIトークン
    for word in machinery:
        assert word not in case_file
    for heading in ("受付", "請求の内容", "請求者", "審査と決定"):
        assert f">{heading}</h2>" in html
    assert "300 円（未納）" in html
    assert ">代理人</h2>" not in html  # a 本人's request has no agent to show


def test_the_worklist_marks_only_the_overdue_requests(sign_in, officer):
    today = timezone.localdate()
    late = RequestFactory(due_on=today - datetime.timedelta(days=1), kinds=[Kind.ERASURE])
    RequestFactory(due_on=today + datetime.timedelta(days=10))
    RequestFactory(due_on=today - datetime.timedelta(days=3), state=Request.State.WITHDRAWN)
    html = sign_in(officer).get("/admin/disclosure/request/").content.decode()
    assert html.count('class="overdue"') == 1
    assert html.index(late.receipt_number) < html.index('class="overdue"')
    assert "icon-no" not in html and "icon-yes" not in html
    assert "消去" in html and '["' not in html
