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
