"""Draft and publish: the admin edits a draft; only a published revision takes effect."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.trail import SYSTEM
from purposes.models import Category, NoticeRevision, Permission, Purpose
from purposes.register import permits
from purposes.services import NothingToPublish, publish


def add_training_to_receipts() -> None:
    Permission.objects.create(
        category=Category.objects.get(code="receipts"),
        purpose=Purpose.objects.get(code="training"),
        order=99,
        valid_from=timezone.localdate(),
    )


def test_a_draft_change_is_not_public_until_published(client, loaded):
    add_training_to_receipts()
    Category.objects.filter(code="staff").update(name="当組合の職員に関する情報")
    today = timezone.localdate()

    assert "当組合の職員に関する情報" not in client.get("/privacy/").content.decode()
    assert not permits(category="receipts", purpose="training", on=today)

    publish(method=NoticeRevision.Method.WEBSITE, by=SYSTEM)

    assert "当組合の職員に関する情報" in client.get("/privacy/").content.decode()
    assert permits(category="receipts", purpose="training", on=today)


def test_the_history_shows_both_revisions_as_published(client, loaded, officer):
    Category.objects.filter(code="staff").update(name="当組合の職員に関する情報")
    publish(method=NoticeRevision.Method.INDIVIDUAL, by=officer)

    history = client.get("/privacy/history/").content.decode()
    first = client.get("/privacy/history/1/").content.decode()
    second = client.get("/privacy/history/2/").content.decode()

    assert "第1版" in history and "第2版" in history
    assert "ホームページ公表" in history and "本人通知" in history
    assert "当組合の従業員に関する情報" in first and "当組合の職員に関する情報" not in first
    assert "当組合の職員に関する情報" in second


def test_an_unknown_revision_is_not_found(client, loaded):
    assert client.get("/privacy/history/99/").status_code == 404


def test_a_future_revision_waits_for_its_day(client, loaded):
    add_training_to_receipts()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    publish(method=NoticeRevision.Method.WEBSITE, by=SYSTEM, effective=tomorrow)

    assert not permits(category="receipts", purpose="training", on=timezone.localdate())
    assert permits(category="receipts", purpose="training", on=tomorrow)
    assert "から第2版が適用されます" in client.get("/privacy/").content.decode()


def test_it_refuses_a_retroactive_revision(loaded):
    add_training_to_receipts()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        publish(method=NoticeRevision.Method.WEBSITE, by=SYSTEM, effective=yesterday)
    assert "本日以降" in str(refused.value)
    assert NoticeRevision.objects.count() == 1


def test_it_refuses_to_publish_an_unchanged_draft(loaded):
    with pytest.raises(NothingToPublish):
        publish(method=NoticeRevision.Method.WEBSITE, by=SYSTEM)


def test_the_snapshot_is_frozen(loaded):
    Purpose.objects.filter(code="elections").update(name="役員選挙の実施")

    snapshot = NoticeRevision.objects.get(number=1).snapshot
    assert "選挙の実施" in str(snapshot) and "役員選挙の実施" not in str(snapshot)
