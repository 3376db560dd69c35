import tomllib

import pytest

from purposes.loader import DEFAULT_CODES
from records.payload_schemas import SCHEMAS, clean_payload, display_items, mask_payload, problems
from records.tests.factories import EXAMPLE_PAYLOADS


def test_it_has_a_schema_for_every_category_of_the_register():
    codes = tomllib.loads(DEFAULT_CODES.read_text(encoding="utf-8"))
    assert set(SCHEMAS) == {entry["code"] for entry in codes["categories"].values()}
    assert set(EXAMPLE_PAYLOADS) == set(SCHEMAS)


@pytest.mark.parametrize("code", sorted(SCHEMAS))
def test_it_accepts_a_realistic_payload(code):
    assert problems(code, EXAMPLE_PAYLOADS[code]) == []


@pytest.mark.parametrize("code", sorted(SCHEMAS))
def test_it_refuses_a_payload_without_a_required_field_naming_it(code):
    required = SCHEMAS[code]["required"][0]
    title = SCHEMAS[code]["properties"][required]["title"]
    payload = {k: v for k, v in EXAMPLE_PAYLOADS[code].items() if k != required}

    found = problems(code, payload)

    assert [(p.field, p.message) for p in found] == [(required, f"「{title}」を入力してください。")]


def test_it_names_each_wrong_field_in_japanese():
    payload = {
        **EXAMPLE_PAYLOADS["bank-accounts"],
        "account_number": "12345",
        "account_type": "貯蓄",
    }
    payload["extra"] = "x"

    found = {p.field: p.message for p in problems("bank-accounts", payload)}

    assert found == {
        "account_number": "「口座番号」は7桁の数字で入力してください。",
        "account_type": "「種別」は次のいずれかにしてください: 普通、当座",
        "extra": "「extra」はこの類型の項目ではありません。",
    }


def test_it_refuses_an_impossible_date_and_a_wrong_type():
    payload = {**EXAMPLE_PAYLOADS["receipts"], "treatment_month": "2025-13", "points": "多い"}

    found = {p.field: p.message for p in problems("receipts", payload)}

    assert found == {
        "points": "「点数」は整数で入力してください。",
        "treatment_month": "「診療年月」は年月（YYYY-MM）で入力してください。",
    }


def test_it_refuses_a_payload_that_is_not_an_object_and_an_unknown_category():
    assert problems("receipts", ["1234"])[0].message.startswith("内容は")
    assert (
        problems("no-such-category", {})[0].message
        == "類型「no-such-category」の内容の定義がありません。"
    )


def test_it_normalises_typed_values_before_validating():
    typed = {
        "bank_name": "みずほ銀行",
        "branch_name": "東京営業部",
        "account_type": "普通",
        "account_number": "１２３４５６７",
        "holder_kana": "やまだ　たろう",
    }
    assert clean_payload("bank-accounts", typed)["account_number"] == "1234567"
    assert clean_payload("bank-accounts", typed)["holder_kana"] == "ヤマダ タロウ"
    checked = clean_payload(
        "health-checks",
        {
            **EXAMPLE_PAYLOADS["health-checks"],
            "examined_on": "２０２５/５/２０",
            "systolic_bp": "１２８",
        },
    )
    assert (checked["examined_on"], checked["systolic_bp"]) == ("2025-05-20", 128)


def test_it_masks_the_account_number_in_lists():
    payload = EXAMPLE_PAYLOADS["bank-accounts"]

    assert mask_payload("bank-accounts", payload)["account_number"] == "****567"
    assert payload["account_number"] == "1234567"
    assert ("口座番号", "****567") in display_items("bank-accounts", payload)
    assert ("口座番号", "1234567") in display_items("bank-accounts", payload, masked=False)
