import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from audit.models import Event
from audit.trail import SYSTEM
from audit.vocabulary import Action
from records.models import Member, Record
from records.services import (
    member_create,
    member_update,
    record_create,
    record_update,
    value_digest,
)
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user("clerk", is_staff=True)


def _member(by, **overrides):
    fields = {
        "symbol": "１００１",
        "number": "４２",
        "branch": "００",
        "name": "山田　太郎",
        "name_kana": "やまだ　たろう",
        "birth_date": datetime.date(1980, 5, 1),
        "sex": Member.Sex.MALE,
        "acquired_on": datetime.date(2015, 4, 1),
        "employer": "本社",
        **overrides,
    }
    return member_create(by=by, **fields)


def test_it_creates_a_member_normalised_with_an_event_without_values(clerk):
    member = _member(clerk)

    stored = Member.objects.get()
    assert (stored.symbol, stored.number, stored.branch) == ("1001", "42", "00")
    assert (stored.name, stored.name_kana) == ("山田 太郎", "ヤマダ タロウ")
    event = Event.objects.get(action=Action.RECORDS_MEMBER_CREATED)
    assert (event.actor_kind, event.actor_id, event.target_id) == ("user", clerk.pk, str(member.pk))
    assert "ヤマダ" not in str(event.details) and "1980" not in str(event.details)


def test_it_refuses_a_dependent_without_an_insured_person(clerk):
    events = Event.objects.count()  # the clerk's account was created with its own event
    with pytest.raises(ValidationError) as refused:
        _member(clerk, relationship=Member.Relationship.CHILD)

    assert refused.value.message_dict["insured"] == ["被扶養者には被保険者を指定してください。"]
    assert not Member.objects.exists()
    assert Event.objects.count() == events


def test_it_updates_a_member_with_digests_of_old_and_new_values(clerk):
    member = _member(clerk)

    member_update(member=member, name_kana="ヤマダ　タロー", employer="本社", by=clerk)

    member.refresh_from_db()
    assert member.name_kana == "ヤマダ タロー"
    changes = Event.objects.get(action=Action.RECORDS_MEMBER_CHANGED).details["changes"]
    assert changes == {
        "name_kana": {"old": value_digest("ヤマダ タロウ"), "new": value_digest("ヤマダ タロー")}
    }


def test_it_writes_no_event_when_nothing_changes(clerk):
    member = _member(clerk)

    member_update(member=member, name="山田 太郎", by=clerk)

    assert not Event.objects.filter(action=Action.RECORDS_MEMBER_CHANGED).exists()


def test_it_creates_a_record_with_a_normalised_payload(clerk):
    member = MemberFactory()
    payload = {**EXAMPLE_PAYLOADS["bank-accounts"], "account_number": "７６５４３２１"}

    record = record_create(
        member=member,
        category=category("bank-accounts"),
        date=datetime.date(2026, 4, 1),
        title="給付金振込口座",
        payload=payload,
        by=SYSTEM,
    )

    assert Record.objects.get().payload["account_number"] == "7654321"
    event = Event.objects.get(action=Action.RECORDS_RECORD_CREATED)
    assert (event.actor_kind, event.target_id) == ("system", str(record.pk))
    assert event.details["category"] == "bank-accounts"
    assert "7654321" not in str(event.details)


def test_it_refuses_a_record_whose_payload_breaks_the_schema(clerk):
    with pytest.raises(ValidationError) as refused:
        record_create(
            member=MemberFactory(),
            category=category("receipts"),
            date=datetime.date(2026, 4, 1),
            title="2025年10月診療分",
            payload={**EXAMPLE_PAYLOADS["receipts"], "points": -5},
            by=clerk,
        )

    assert refused.value.message_dict["payload"] == ["「点数」は0以上にしてください。"]
    assert not Record.objects.exists()


def test_it_updates_a_payload_field_and_names_it_in_the_trail(clerk):
    record = record_create(
        member=MemberFactory(),
        category=category("bank-accounts"),
        date=datetime.date(2026, 4, 1),
        title="給付金振込口座",
        payload=EXAMPLE_PAYLOADS["bank-accounts"],
        by=clerk,
    )

    record_update(
        record=record,
        payload={**EXAMPLE_PAYLOADS["bank-accounts"], "account_number": "7654321"},
        by=clerk,
    )

    record.refresh_from_db()
    assert record.payload["account_number"] == "7654321"
    changes = Event.objects.get(action=Action.RECORDS_RECORD_CHANGED).details["changes"]
    assert changes == {
        "payload.account_number": {
            "old": value_digest("1234567"),
            "new": value_digest("7654321"),
        }
    }
