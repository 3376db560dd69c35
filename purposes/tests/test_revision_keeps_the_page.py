"""Each published revision keeps what `/privacy/` showed beside it (APPI Art. 32(1) as amended
in 2022: the name, address and representative, the processors, the joint uses published
(Art. 27(5)(iii)), the 外的環境, the fees and how to pay them; and the retention schedule,
Art. 22), so that an auditor reads what was published when: the revision's page shows it as
it was, whatever the registers say since; a change there alone is published as a revision."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from audit.models import Event
from audit.trail import SYSTEM
from audit.vocabulary import Action
from purposes.models import Category, NoticeRevision
from purposes.outsourcing import Processor, SocietyProfile
from purposes.services import NothingToPublish, publish

pytestmark = pytest.mark.django_db


def _processor(name: str) -> Processor:
    processor = Processor.objects.create(
        name=name,
        kind=Processor.Kind.HEALTH_CHECK,
        work="特定健康診査の実施と結果の作成",
        data_items="氏名、記号・番号、生年月日、健診結果",
        contract_from=datetime.date(2026, 4, 1),
        safeguards_checked_on=datetime.date(2026, 3, 15),
        safeguards_checked="プライバシーマーク",
        subcontracting=Processor.Subcontracting.FORBIDDEN,
    )
    processor.categories.add(Category.objects.get(code="health-checks"))
    return processor


@pytest.fixture
def profile(loaded):
    return SocietyProfile.objects.create(
        address="〒105-0012 東京都港区芝大門1-1-3",
        representative_title="理事長",
        representative_name="山田一郎",
        fee_payment="郵便定額小為替を同封してください。",
    )


def test_art32_1_a_revision_keeps_what_the_privacy_page_showed_beside_it(client, profile, officer):
    first = _processor("芝健診センター")
    revision = publish(method=NoticeRevision.Method.WEBSITE, by=officer)

    assert "芝健診センター" in revision.page and "理事長 山田一郎" in revision.page
    assert "特定健康診査及び特定保健指導の実施に関する基準第10条" in revision.page
    # Since: another processor, the first one's contract ended, a new representative and
    # a new retention period, none of them published as a revision.
    _processor("港印刷株式会社")
    first.contract_until = timezone.localdate() - datetime.timedelta(days=1)
    first.save()
    profile.representative_name = "鈴木次郎"
    profile.save()
    Category.objects.filter(code="receipts").update(retention_years=7)

    now = client.get("/privacy/").content.decode()
    then = client.get(f"/privacy/history/{revision.number}/").content.decode()

    assert "港印刷株式会社" in now and "鈴木次郎" in now and "記録日から7年" in now
    assert "芝健診センター" not in now
    assert "芝健診センター" in then and "理事長 山田一郎" in then and "記録日から5年" in then
    assert "港印刷株式会社" not in then and "鈴木次郎" not in then and "記録日から7年" not in then
    assert "この版の公表時に公表事項に添えて掲げた事項です" in then


def test_art32_1_a_change_beside_the_notice_alone_is_published_as_a_revision(profile, officer):
    before = NoticeRevision.objects.get()
    _processor("芝健診センター")

    revision = publish(method=NoticeRevision.Method.WEBSITE, by=officer)

    assert revision.snapshot == before.snapshot  # the notice's words are the same
    assert revision.number == before.number + 1 and "芝健診センター" in revision.page
    event = Event.objects.get(action=Action.PURPOSES_NOTICE_PUBLISHED, details__number=2)
    assert event.details["page_digest"] == hashlib.sha256(revision.page.encode()).hexdigest()
    assert "芝健診センター" not in str(event.details)
    with pytest.raises(NothingToPublish):  # nothing changed since, beside it or in it
        publish(method=NoticeRevision.Method.WEBSITE, by=officer)


def test_art32_1_the_draft_pages_say_when_the_page_beside_the_notice_changed(
    officer_client, profile
):
    publish(method=NoticeRevision.Method.WEBSITE, by=SYSTEM)
    listed = officer_client.get("/admin/purposes/category/")
    assert "公表事項に添えて掲げた事項" not in listed.content.decode()

    _processor("芝健診センター")

    listed = officer_client.get("/admin/purposes/category/", follow=True)
    assert "公表事項に添えて掲げた事項（委託先、共同利用、保存期間など）" in listed.content.decode()


def test_art32_1_a_revision_published_before_the_page_was_kept_says_so(client, loaded):
    NoticeRevision.objects.update(page="")

    page = client.get("/privacy/history/1/").content.decode()

    assert "記録を始める前に公表した版です" in page
    assert "個人データの取扱いの委託" not in page
