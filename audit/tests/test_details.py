"""The trail holds ids, field names, codes and hashes, never a personal value."""

import pytest

from audit.models import Event
from audit.trail import SYSTEM, PersonalValueRefused, append
from audit.vocabulary import Action

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "details",
    [
        {"name": "山田太郎"},
        {"kana": "ヤマダ タロウ"},
        {"note": "called about her receipt"},
        {"address": "東京都千代田区千代田1-1"},
        {"email": "taro.yamada@example.jp"},
        {"fields": ["name", "山田"]},
        {"changes": {"name": {"old": "Yamada Taro"}}},
        {"height": 172.5},
        {"氏名": "x"},
        {"id": "x" * 129},
        {"id": "x\n"},
    ],
    ids=[
        "japanese-name",
        "kana-name",
        "free-text",
        "address",
        "email",
        "value-in-a-list",
        "value-nested",
        "float",
        "japanese-key",
        "too-long",
        "trailing-newline",
    ],
)
def test_it_refuses_a_personal_value(details):
    with pytest.raises(PersonalValueRefused):
        append(action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM, details=details)
    assert not Event.objects.exists()


def test_it_accepts_ids_field_names_codes_and_hashes():
    details = {
        "member": 1234,
        "fields": ["name", "birth_date"],
        "purpose": "benefit_review",
        "from": "received",
        "partial": True,
        "document": "sha256:" + "ab" * 32,
        "reason": None,
    }
    event = append(action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM, details=details)
    event.refresh_from_db()
    assert event.details == details


@pytest.mark.parametrize(
    "value",
    [
        "03-1234-5678",
        "09012345678",
        "+81-3-1234-5678",
        "1985-06-20",
        "1985/6/20",
        "19850620",
        "S60.6.20",
        "H1.1.8",
        "1234567",
        "123-1234567",
        "9901-7700004-00",
    ],
    ids=[
        "phone",
        "mobile-phone-digits",
        "phone-international",
        "birth-date",
        "birth-date-slashes",
        "birth-date-compact",
        "birth-date-wareki",
        "birth-date-wareki-heisei",
        "account-number",
        "branch-and-account",
        "symbol-number-branch",
    ],
)
def test_it_refuses_phone_numbers_birth_dates_and_account_numbers(value):
    for details in ({"value": value}, {"values": [value]}, {"birth_date": value}):
        with pytest.raises(PersonalValueRefused):
            append(action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM, details=details)
    assert not Event.objects.exists()


def test_a_day_of_the_societys_business_passes_under_its_key_and_receipt_numbers_pass():
    details = {
        "date": "2026-12-05",
        "start": "2026-04-01",
        "end": "2027-03-31",
        "effective_on": "2026-12-05",
        "reference": "260401-000001",
        "complaint": "C260401-000001",
        "count": "1234",
    }
    event = append(action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM, details=details)
    event.refresh_from_db()
    assert event.details == details
