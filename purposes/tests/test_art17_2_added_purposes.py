"""APPI Art. 17(2): a purpose may be changed only within what is reasonably related to the
purposes before. Publishing a revision that adds a purpose asks which it is; an unrelated one
is a use outside the purposes (Art. 18(1)) and is published as needing the member's consent
(what the gate then does with it: records/tests/test_consent.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Event
from audit.trail import SYSTEM
from audit.vocabulary import Action
from purposes.models import Category, NoticeRevision, Permission, Purpose
from purposes.services import publish

PUBLISH = "/admin/purposes/noticerevision/publish/"


@pytest.fixture
def added(loaded):
    """A purpose the published register does not hold, added to receipts in the draft."""
    purpose = Purpose.objects.create(code="drug-marketing", name="製薬会社の販売促進への協力")
    Permission.objects.create(
        category=Category.objects.get(code="receipts"),
        purpose=purpose,
        order=99,
        valid_from=timezone.localdate(),
    )
    return purpose


def _form(**extra):
    return {"method": "website", "effective": datetime.date.today().isoformat(), **extra}


def test_art17_2_the_publish_form_asks_about_an_added_purpose(officer_client, added):
    page = officer_client.get(PUBLISH).content.decode()

    assert "追加する利用目的と変更前の利用目的との関連性" in page
    assert "追加する利用目的：製薬会社の販売促進への協力" in page


def test_art17_2_publishing_without_an_answer_is_refused(officer_client, added):
    response = officer_client.post(PUBLISH, _form())

    assert response.status_code == 200
    assert "関連性の有無を選んでください。" in response.content.decode()
    assert NoticeRevision.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        publish(method=NoticeRevision.Method.WEBSITE, by=SYSTEM)
    assert "法第17条第2項" in str(refused.value)


def test_art17_2_an_unknown_answer_is_refused(officer_client, added):
    response = officer_client.post(PUBLISH, _form(added_related="perhaps"))

    assert response.status_code == 200
    assert NoticeRevision.objects.count() == 1


def test_art17_2_an_unrelated_purpose_is_published_as_needing_consent(officer_client, added):
    response = officer_client.post(PUBLISH, _form(added_related="no"), follow=True)

    assert "第2版を公表しました" in response.content.decode()
    added.refresh_from_db()
    assert added.consent == Purpose.Consent.EXPLICIT
    revision = NoticeRevision.objects.get(number=2)
    published = [
        permission
        for category in revision.snapshot["register"]
        for permission in category["permissions"]
        if permission["purpose_code"] == "drug-marketing"
    ]
    assert [permission["purpose_consent"] for permission in published] == ["explicit"]
    event = Event.objects.get(action=Action.PURPOSES_NOTICE_PUBLISHED, details__number=2)
    assert event.details["added_purposes"] == ["drug-marketing"]
    assert event.details["added_related"] is False


def test_art17_2_a_related_purpose_is_published_as_it_is(officer_client, added):
    officer_client.post(PUBLISH, _form(added_related="yes"))

    added.refresh_from_db()
    assert added.consent == Purpose.Consent.NOT_NEEDED
    assert NoticeRevision.objects.count() == 2


def test_art17_2_no_question_when_no_purpose_is_added(officer_client, loaded):
    Category.objects.filter(code="staff").update(name="当組合の職員に関する情報")

    assert "関連性" not in officer_client.get(PUBLISH).content.decode()
