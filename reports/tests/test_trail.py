"""The audit trail page: the verify button, a signed checkpoint checked against the chain,
and the events per day."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from audit.checkpoint import generate_key, take_checkpoint
from audit.models import Event
from audit.tests.fixtures import append_legacy
from audit.trail import SYSTEM, append
from audit.vocabulary import Action

from .conftest import period_query, table

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_query():
    today = timezone.localdate()
    return period_query(today, today)


def test_it_shows_no_verification_until_one_is_run(as_auditor, today_query):
    page = as_auditor.get(f"/reports/trail/?{today_query}")

    assert page.status_code == 200
    assert table(page, "直近の検証結果") == []
    assert "まだ検証していません" in page.content.decode()


def test_the_button_verifies_the_chain_and_the_page_shows_the_result(
    as_auditor, auditor, today_query
):
    append(action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM)

    response = as_auditor.post(f"/reports/trail/verify/?{today_query}")

    assert response.status_code == 302
    assert response.url == f"/reports/trail/?{today_query}"
    verified = Event.objects.get(action=Action.REPORTS_TRAIL_VERIFIED)
    assert verified.actor_id == auditor.pk
    assert verified.details["problem"] is None
    assert verified.details["events"] == verified.seq - 1
    rows = dict(table(as_auditor.get(response.url), "直近の検証結果"))
    assert rows["チェーンの検証"] == "異常なし"
    assert rows["検証したイベント数"] == str(verified.seq - 1)
    assert rows["検証した人"] == "auditor"


@pytest.mark.postgres_only
def test_the_button_takes_the_fast_check_on_postgresql(
    audit_transactional_db, as_auditor, today_query, monkeypatch
):
    from audit.verify import thorough

    *_, last = [append(action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM) for _ in range(5)]

    def thorough_verifier_called():
        raise AssertionError("verified inside the request's transaction: not the fast check")

    monkeypatch.setattr(thorough, "in_database", thorough_verifier_called)
    response = as_auditor.post(f"/reports/trail/verify/?{today_query}")

    assert response.status_code == 302
    verified = Event.objects.get(action=Action.REPORTS_TRAIL_VERIFIED)
    assert (verified.details["events"], verified.details["head"]) == (last.seq, last.hash)
    assert verified.details["problem"] is None


def test_a_kept_checkpoint_is_checked_against_the_chain(as_auditor, today_query):
    private_pem, public_pem = generate_key()
    with transaction.atomic():
        checkpoint = take_checkpoint(signing_key_pem=private_pem)
    upload = {
        "checkpoint": SimpleUploadedFile("cp.json", json.dumps(checkpoint).encode()),
        "public_key": SimpleUploadedFile("key.pem", public_pem.encode()),
    }

    as_auditor.post(f"/reports/trail/verify/?{today_query}", upload)

    page = as_auditor.get(f"/reports/trail/?{today_query}")
    rows = dict(table(page, "直近の検証結果"))
    assert rows["署名付きチェックポイントとの照合"] == "異常なし"
    assert rows["公開鍵の指定"] == "あり"
    assert dict(table(page, "直近の署名付きチェックポイント"))["連番"] == str(checkpoint["seq"])


def test_a_checkpoint_signed_by_another_key_is_reported(as_auditor, today_query):
    private_pem, _public_pem = generate_key()
    _other_private, other_public = generate_key()
    with transaction.atomic():
        checkpoint = take_checkpoint(signing_key_pem=private_pem)
    upload = {
        "checkpoint": SimpleUploadedFile("cp.json", json.dumps(checkpoint).encode()),
        "public_key": SimpleUploadedFile("key.pem", other_public.encode()),
    }

    as_auditor.post(f"/reports/trail/verify/?{today_query}", upload)

    rows = dict(table(as_auditor.get(f"/reports/trail/?{today_query}"), "直近の検証結果"))
    assert rows["署名付きチェックポイントとの照合"].startswith("異常あり：チェックポイントの偽造")


def test_a_bogus_checkpoint_makes_the_anomaly_the_first_thing_the_page_says(
    as_auditor, today_query
):
    upload = {"checkpoint": SimpleUploadedFile("cp.json", b'{"seq": 1, "hash": "00"}')}

    page = as_auditor.post(f"/reports/trail/verify/?{today_query}", upload, follow=True)

    html = page.content.decode()
    main = html[html.index("<main") :]
    alert = main.index('role="alert"')
    assert "監査証跡を検証しました" not in html
    assert alert < main.index("<nav") < main.index("<h1")
    assert "異常が見つかりました" in main[alert : alert + 300]
    assert "チェックポイントの偽造又は鍵の不一致" in main[alert : alert + 600]


def test_a_clean_verification_says_so_and_raises_no_alert(as_auditor, today_query):
    page = as_auditor.post(f"/reports/trail/verify/?{today_query}", follow=True)

    html = page.content.decode()
    assert "監査証跡を検証しました。異常はありません。" in html
    assert 'role="alert"' not in html


def test_a_file_that_is_not_text_is_refused_with_a_message(as_auditor, today_query):
    upload = {"checkpoint": SimpleUploadedFile("cp.json", b"\xff\xfe\x00")}

    response = as_auditor.post(f"/reports/trail/verify/?{today_query}", upload, follow=True)

    assert "テキストファイル（UTF-8）を指定してください" in response.content.decode()
    assert not Event.objects.filter(action=Action.REPORTS_TRAIL_VERIFIED).exists()


def test_it_counts_events_per_day_and_by_action(as_auditor, today_query):
    before = Event.objects.count()
    append(action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM)

    page = as_auditor.get(f"/reports/trail/?{today_query}")

    [(day, count)] = table(page, "日別のイベント数")
    assert day == timezone.localdate().isoformat()
    assert count == str(before + 1)
    assert ["記録の変更", "1"] in table(page, "操作別のイベント数")


def test_an_event_of_an_older_trail_counts_and_shows_with_its_action_today(as_auditor, today_query):
    append(action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM)
    append_legacy("record.update")  # record.update is records.record.changed's old name

    page = as_auditor.get(f"/reports/trail/?{today_query}")
    assert ["記録の変更", "2"] in table(page, "操作別のイベント数")

    listed = as_auditor.get(f"/reports/events/?{today_query}&action=records.record.changed")
    rows = table(listed, "監査イベント")
    assert [row[3] for row in rows] == ["記録の変更", "記録の変更"]
