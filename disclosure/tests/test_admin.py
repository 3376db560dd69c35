"""Staff enter paper requests with the public form's validation; overdue requests first."""

import datetime
import re

import pytest

from audit.models import Event
from audit.vocabulary import Action
from core import audited
from disclosure.models import IdentityDocument, Kind, KindPolicy, Request

from .factories import RequestFactory
from .test_filing import FULL_WIDTH

pytestmark = pytest.mark.django_db


def test_it_files_a_paper_request_with_the_same_validation(sign_in, bare_officer):
    client = sign_in(bare_officer)
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
    assert filed.channel == "post" and filed.created_by == bare_officer
    assert filed.member_number == "23"
    assert filed.due_on == datetime.date(2026, 5, 1)


def test_a_scanned_document_is_kept_when_the_page_comes_back_with_errors(
    sign_in, bare_officer, jpeg
):
    client = sign_in(bare_officer)
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


def test_it_lists_overdue_requests_first(sign_in, bare_officer):
    late = RequestFactory(due_on=datetime.date(2020, 1, 1))
    RequestFactory(due_on=datetime.date(2019, 1, 1), state=Request.State.WITHDRAWN)
    on_time = RequestFactory()
    page = sign_in(bare_officer).get("/admin/disclosure/request/").content.decode()
    assert page.index(late.receipt_number) < page.index(on_time.receipt_number)


def test_the_officer_changing_a_fee_appends_its_event_with_digests_only(sign_in, bare_officer):
    policy = KindPolicy.objects.create(kind=Kind.DISCLOSURE, deadline_days=30, fee_yen=300)
    url = f"/admin/disclosure/kindpolicy/{policy.pk}/change/"

    response = sign_in(bare_officer).post(
        url, {"kind": Kind.DISCLOSURE, "deadline_days": 14, "fee_yen": 500}
    )

    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.deadline_days, policy.fee_yen) == (14, 500)
    event = Event.objects.get(action=Action.DISCLOSURE_KINDPOLICY_CHANGED)
    assert (event.actor_kind, event.actor_id) == ("user", bare_officer.pk)
    assert event.target_id == str(policy.pk)
    assert event.details == {
        "fields": ["deadline_days", "fee_yen"],
        "digests": {
            "deadline_days": {"old": audited.digest(30), "new": audited.digest(14)},
            "fee_yen": {"old": audited.digest(300), "new": audited.digest(500)},
        },
    }


def test_a_fee_refused_for_its_kind_changes_nothing_and_leaves_no_event(sign_in, bare_officer):
    policy = KindPolicy.objects.create(kind=Kind.CORRECTION)

    response = sign_in(bare_officer).post(
        f"/admin/disclosure/kindpolicy/{policy.pk}/change/",
        {"kind": Kind.CORRECTION, "deadline_days": 30, "fee_yen": 300},
    )

    assert "手数料は利用目的の通知と開示にのみ定められます。" in response.content.decode()
    policy.refresh_from_db()
    assert policy.fee_yen == 0
    assert not Event.objects.filter(target_type="disclosure.kindpolicy").exists()


def test_deleting_a_kinds_policy_appends_its_event(sign_in, superuser):
    policy = KindPolicy.objects.create(kind=Kind.DISCLOSURE, fee_yen=300)

    response = sign_in(superuser).post(
        f"/admin/disclosure/kindpolicy/{policy.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not KindPolicy.objects.exists()
    event = Event.objects.get(action=Action.DISCLOSURE_KINDPOLICY_DELETED)
    assert (event.actor_id, event.target_id) == (superuser.pk, str(policy.pk))
