"""A member's registered address (郵便番号, 住所), where a package of 要配慮個人情報 goes by
本人限定受取郵便: typed in any width and normalised, refused with a message when it is not
one, shown on the member's page to those whose access shows the member, changed with a
digest in the trail, and gone with the member on 消去 (APPI Art. 35)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Event
from audit.trail import SYSTEM
from audit.vocabulary import Action
from records.importing import MEMBERS, import_csv
from records.models import Member
from records.services import member_erase, member_update
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory

CHECKUP = "checkup-reminder"
ADDRESS = "東京都千代田区千代田1-1"


@pytest.fixture
def member(register):
    member = MemberFactory(symbol="5001", number="1", branch="00", name="鈴木一郎")
    RecordFactory(
        member=member,
        category=register["health-checks"],
        date=datetime.date(2019, 6, 1),  # past 基準第10条's five years: erasable
        payload=EXAMPLE_PAYLOADS["health-checks"],
    )
    return member


@pytest.fixture
def handler(sign_in, handler_kenshin, member):
    client = sign_in(handler_kenshin)
    client.post(reverse("admin:records_purpose"), {"purpose": CHECKUP})
    return client


def edited(member: Member, **changes) -> dict:
    """The member's edit form as the admin sends it, with `changes`."""
    values = {
        "symbol": member.symbol,
        "number": member.number,
        "branch": member.branch,
        "name": member.name,
        "name_kana": member.name_kana,
        "birth_date": member.birth_date.isoformat(),
        "sex": member.sex,
        "relationship": member.relationship,
        "insured": "",
        "employer": member.employer,
        "postal_code": member.postal_code,
        "address": member.address,
        "acquired_on": member.acquired_on.isoformat(),
        "lost_on": "",
    }
    return values | changes


def test_the_registered_address_is_typed_normalised_shown_and_audited(handler, member):
    url = reverse("admin:records_member_change", args=[member.pk])

    response = handler.post(
        f"{url}?edit=1",
        edited(member, postal_code="〒１００－０００１", address="東京都千代田区千代田１－１"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert (member.postal_code, member.address) == ("100-0001", ADDRESS)
    page = handler.get(url).content.decode()
    assert "郵便番号" in page and "100-0001" in page and ADDRESS in page
    changes = Event.objects.filter(action=Action.RECORDS_MEMBER_CHANGED).last().details["changes"]
    assert set(changes) == {"postal_code", "address"}
    assert "千代田" not in str(changes) and "100-0001" not in str(changes)


@pytest.mark.parametrize(
    ("sent", "field", "words"),
    [
        ({"postal_code": "12-3456"}, "postal_code", "郵便番号は 123-4567 のように7桁"),
        ({"postal_code": "abcdefg"}, "postal_code", "郵便番号は 123-4567 のように7桁"),
        ({"postal_code": "123456789"}, "postal_code", "8 文字以下"),
        ({"address": "東" * 201}, "address", "200 文字以下"),
    ],
    ids=["short", "letters", "long", "address-too-long"],
)
def test_a_bad_registered_address_is_refused_beside_its_field(handler, member, sent, field, words):
    url = reverse("admin:records_member_change", args=[member.pk])

    response = handler.post(f"{url}?edit=1", edited(member, **sent))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert words in response.content.decode()
    member.refresh_from_db()
    assert (member.postal_code, member.address) == ("", "")


def test_the_service_refuses_a_postal_code_that_is_not_one(member, superuser):
    with pytest.raises(ValidationError, match="7桁"):
        member_update(member=member, by=superuser, postal_code="千代田")


def test_art35_erasure_takes_the_registered_address_with_the_member(member, superuser):
    member = member_update(member=member, by=superuser, postal_code="100-0001", address=ADDRESS)

    member_erase(member=member, by=superuser, reason_ref="260401-000001")

    assert not Member.objects.filter(address=ADDRESS).exists()


IMPORT_HEADER = "連携元ID,記号,番号,枝番,氏名,フリガナ,生年月日,性別,資格取得日"
IMPORT_ROW = "M-1,1001,42,00,山田 太郎,ヤマダ タロウ,1980-05-01,1,2015-04-01"


def test_the_import_takes_the_registered_address_and_keeps_it_when_a_file_has_none(db):
    with_address = f"{IMPORT_HEADER},郵便番号,住所\n{IMPORT_ROW},〒1000001,{ADDRESS}\n"
    without = f"{IMPORT_HEADER}\n{IMPORT_ROW}\n"

    first = import_csv(data=with_address.encode(), kind=MEMBERS, by=SYSTEM)
    again = import_csv(data=without.encode(), kind=MEMBERS, by=SYSTEM)

    assert first.ok and again.ok and again.unchanged == 1
    taro = Member.objects.get(source_id="M-1")
    assert (taro.postal_code, taro.address) == ("100-0001", ADDRESS)


def test_the_import_refuses_a_postal_code_that_is_not_one(db):
    data = f"{IMPORT_HEADER},郵便番号\n{IMPORT_ROW},1000\n"

    report = import_csv(data=data.encode(), kind=MEMBERS, by=SYSTEM)

    assert not report.ok
    assert [(e.field, e.reason) for e in report.errors] == [
        ("postal_code", "郵便番号は 123-4567 のように7桁で入力してください。")
    ]
    assert not Member.objects.exists()
