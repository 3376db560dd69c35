"""消去 exactly as granted (APPI Art. 35(1), (2)): one record, one category, or the whole member
only when confirmed a second time; a record the law keeps is refused with its article; the
erasure ledger replays exactly what went."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from audit import erasure_ledger
from disclosure.models import Kind, Request
from records import gate
from records.models import Member, Record
from records.tests.factories import RecordFactory

from .conftest import NAME
from .test_erasure import NO_LONGER_NEEDED, answer, filed_for
from .test_erasure_ledger import Lost, replay_erasures

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_checkup(member, register):
    return RecordFactory(
        member=member,
        category=register["health-checks"],
        date=datetime.date(2019, 6, 1),  # past 基準第10条's five years: erasable
        title="二件目の健診",
    )


def erase(request, member, officer, **item):
    with gate.ledger():
        return answer(
            request,
            member,
            officer,
            [{"kind": Kind.ERASURE, "granted": True, "case": NO_LONGER_NEEDED, **item}],
        )


def test_art35_1_erasing_one_record_leaves_the_rest(
    member, officer, second_checkup, django_capture_on_commit_callbacks
):
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    before = set(Record.objects.filter(member=member).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        request = erase(request, member, officer, record_id=second_checkup.pk)

    assert set(Record.objects.values_list("pk", flat=True)) == before - {second_checkup.pk}
    assert Member.objects.filter(pk=member.pk, name=NAME).exists()
    assert request.state == Request.State.CLOSED and request.name == NAME
    (line,), _refused = erasure_ledger.read()
    assert (line.entry["categories"], line.entry["records"]) == ([], [second_checkup.pk])


def test_art35_1_a_record_of_another_member_is_not_erased(member, officer, register):
    stranger = RecordFactory(category=register["health-checks"])
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with pytest.raises(ValidationError, match="この加入者の記録として保有していません"):
        erase(request, member, officer, record_id=stranger.pk)
    assert Record.objects.filter(pk=stranger.pk).exists()


def test_art35_1_the_whole_member_is_erased_only_when_confirmed_a_second_time(member, officer):
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with pytest.raises(ValidationError, match="確認の欄にチェック"):
        erase(request, member, officer)
    assert Record.objects.filter(member=member).count() == 2

    request.refresh_from_db()
    erase(request, member, officer, whole_confirmed=True)
    assert not Member.objects.filter(pk=member.pk).exists()


def test_art35_2_a_receipt_within_its_retention_period_is_refused_with_the_article(
    member, officer, register
):
    kept = RecordFactory(member=member, category=register["receipts"], title="保存中のレセプト")
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with pytest.raises(ValidationError) as refused:
        erase(request, member, officer, category=register["receipts"])
    message = refused.value.messages[0]
    assert f"記録ID {kept.pk}" in message and "健康保険法第58条・民法第166条第1項" in message
    assert "令和13年3月31日まで保存" in message
    # Nothing went: the receipt past its period stays with the one the law keeps.
    assert Record.objects.filter(member=member, category__code="receipts").count() == 2


def test_art35_1_a_replayed_partial_erasure_erases_that_record_only(
    member, officer, second_checkup, django_capture_on_commit_callbacks
):
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with pytest.raises(Lost), transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            erase(request, member, officer, record_id=second_checkup.pk)
        raise Lost
    assert Record.objects.filter(member=member).count() == 3  # back, as in the backup

    assert "再適用 1 件" in replay_erasures()

    assert not Record.objects.filter(pk=second_checkup.pk).exists()
    assert Record.objects.filter(member=member).count() == 2
    assert Member.objects.filter(pk=member.pk).exists()
