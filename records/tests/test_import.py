import json

import pytest

from audit.models import Event
from audit.trail import SYSTEM
from audit.vocabulary import Action
from records.importing import MEMBERS, RECORDS, import_csv
from records.models import Member, Record
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, category

pytestmark = pytest.mark.django_db

MEMBERS_CSV = (
    (
        "連携元ID,記号,番号,枝番,氏名,フリガナ,生年月日,性別,続柄,被保険者の連携元ID,"
        "事業所,資格取得日,資格喪失日\n"
    )
    + """\
M-1,１００１,４２,００,山田　太郎,やまだ　たろう,１９８０/０５/０１,男,本人,,本社,2015-04-01,
M-2,1001,42,01,山田 花子,ﾔﾏﾀﾞ ﾊﾅｺ,2012-07-07,2,子,M-1,,2015-04-01,
M-3,1001,77,00,佐藤 一郎,さとう　いちろー,1960-01-15,1,self,,大阪支社,2001-04-01,2025-03-31
"""
)


def _records_csv(*rows: list) -> bytes:
    header = ["source_id", "symbol", "number", "branch", "category", "date", "title", "payload"]
    body = [",".join(['"' + str(c).replace('"', '""') + '"' for c in row]) for row in rows]
    return ("\n".join([",".join(header), *body]) + "\n").encode()


def test_it_imports_members_normalising_full_width_digits_and_hiragana():
    report = import_csv(data=MEMBERS_CSV.encode(), kind=MEMBERS, by=SYSTEM)

    assert report.ok and (report.created, report.rows) == (3, 3)
    taro = Member.objects.get(source_id="M-1")
    assert (taro.symbol, taro.number, taro.branch) == ("1001", "42", "00")
    assert (taro.name, taro.name_kana, str(taro.birth_date)) == (
        "山田 太郎",
        "ヤマダ タロウ",
        "1980-05-01",
    )
    hanako = Member.objects.get(source_id="M-2")
    assert (hanako.name_kana, hanako.insured, hanako.relationship) == (
        "ヤマダ ハナコ",
        taro,
        "child",
    )
    assert Member.objects.get(source_id="M-3").name_kana == "サトウ イチロー"


def test_it_imports_nothing_from_a_file_with_one_bad_row_and_says_why():
    bad = MEMBERS_CSV.replace("1960-01-15", "1960-02-30")

    report = import_csv(data=bad.encode(), kind=MEMBERS, by=SYSTEM)

    assert not report.ok
    assert [vars(e) for e in report.errors] == [
        {
            "row": 4,
            "field": "birth_date",
            "reason": "「生年月日」は日付（YYYY-MM-DD）で入力してください。",
        }
    ]
    assert not Member.objects.exists()
    assert not Event.objects.filter(action=Action.RECORDS_MEMBER_IMPORTED).exists()


def test_it_is_idempotent_by_the_source_id():
    import_csv(data=MEMBERS_CSV.encode(), kind=MEMBERS, by=SYSTEM)
    changed = MEMBERS_CSV.replace("大阪支社", "名古屋支社")

    again = import_csv(data=MEMBERS_CSV.encode(), kind=MEMBERS, by=SYSTEM)
    third = import_csv(data=changed.encode(), kind=MEMBERS, by=SYSTEM)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert Member.objects.count() == 3
    assert Member.objects.get(source_id="M-3").employer == "名古屋支社"


def test_it_writes_one_audit_event_with_counts_and_the_file_digest():
    import hashlib

    import_csv(data=MEMBERS_CSV.encode(), kind=MEMBERS, by=SYSTEM)

    event = Event.objects.get(action=Action.RECORDS_MEMBER_IMPORTED)
    assert event.details == {
        "sha256": hashlib.sha256(MEMBERS_CSV.encode()).hexdigest(),
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "masked": 0,
    }
    assert Event.objects.filter(action__startswith="records.member.").count() == 1


def test_it_refuses_a_dependent_whose_insured_person_is_unknown():
    bad = MEMBERS_CSV.replace(",M-1,", ",M-9,")

    report = import_csv(data=bad.encode(), kind=MEMBERS, by=SYSTEM)

    assert [(e.row, e.field) for e in report.errors] == [(3, "insured_source_id")]
    assert not Member.objects.exists()


def test_it_refuses_an_insurance_number_held_by_another_member():
    MemberFactory(symbol="1001", number="42", branch="00", source_id="OTHER")

    report = import_csv(data=MEMBERS_CSV.encode(), kind=MEMBERS, by=SYSTEM)

    assert [(e.row, e.field) for e in report.errors] == [(2, "number")]
    assert Member.objects.count() == 1


def test_it_imports_records_of_every_category_and_reimports_them_unchanged():
    member = MemberFactory(symbol="1001", number="42", branch="00")
    for code in EXAMPLE_PAYLOADS:
        category(code)
    rows = [
        [
            f"R-{i}",
            "１００１",
            "４２",
            "００",
            code,
            "2026-04-01",
            "記録",
            json.dumps(payload, ensure_ascii=False),
        ]
        for i, (code, payload) in enumerate(EXAMPLE_PAYLOADS.items())
    ]

    first = import_csv(data=_records_csv(*rows), kind=RECORDS, by=SYSTEM)
    second = import_csv(data=_records_csv(*rows), kind=RECORDS, by=SYSTEM)

    assert first.ok and first.created == 17
    assert (second.created, second.updated, second.unchanged) == (0, 0, 17)
    assert Record.objects.filter(member=member).count() == 17


def test_it_normalises_a_payload_and_reports_its_fields():
    MemberFactory(symbol="1001", number="42", branch="00")
    category("bank-accounts")
    good = {
        **EXAMPLE_PAYLOADS["bank-accounts"],
        "account_number": "１２３４５６７",
        "holder_kana": "やまだ",
    }
    bad = {**EXAMPLE_PAYLOADS["bank-accounts"], "account_number": "12-34"}

    report = import_csv(
        data=_records_csv(
            ["R-1", "1001", "42", "00", "bank-accounts", "2026-04-01", "口座", json.dumps(good)],
            ["R-2", "1001", "42", "00", "bank-accounts", "2026-04-01", "口座", json.dumps(bad)],
            ["R-3", "1001", "99", "00", "no-such", "2026-04-31", "口座", "{"],
        ),
        kind=RECORDS,
        by=SYSTEM,
    )

    assert [(e.row, e.field, e.reason) for e in report.errors] == [
        (3, "payload.account_number", "「口座番号」は7桁の数字で入力してください。"),
        (4, "number", "記号・番号・枝番「1001-99-00」の加入者が登録されていません。"),
        (4, "category", "類型「no-such」は登録簿にありません。"),
        (4, "date", "「日付」は日付（YYYY-MM-DD）で入力してください。"),
        (4, "payload", "「内容」を JSON として読めません。"),
    ]
    assert not Record.objects.exists()
    report = import_csv(
        data=_records_csv(
            ["R-1", "1001", "42", "00", "bank-accounts", "2026-04-01", "口座", json.dumps(good)]
        ),
        kind=RECORDS,
        by=SYSTEM,
    )
    assert Record.objects.get().payload["holder_kana"] == "ヤマダ"


def test_it_changes_nothing_on_a_dry_run():
    report = import_csv(data=MEMBERS_CSV.encode(), kind=MEMBERS, by=SYSTEM, dry_run=True)

    assert report.ok and report.created == 3
    assert not Member.objects.exists()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "CSVファイルとして読めません。UTF-8 か Shift_JIS で保存してください。",
        ),
        (b"", "ファイルが空です。"),
    ],
)
def test_it_reports_a_file_it_cannot_read(data, reason):
    report = import_csv(data=data, kind=MEMBERS, by=SYSTEM)

    assert [vars(e) for e in report.errors] == [{"row": None, "field": "", "reason": reason}]


def test_it_reads_shift_jis_and_utf8_with_bom():
    cp932 = import_csv(data=MEMBERS_CSV.encode("cp932"), kind=MEMBERS, by=SYSTEM, dry_run=True)
    bom = import_csv(data=MEMBERS_CSV.encode("utf-8-sig"), kind=MEMBERS, by=SYSTEM, dry_run=True)

    assert (cp932.ok, cp932.created, bom.ok, bom.created) == (True, 3, True, 3)


def test_it_names_missing_and_unknown_columns():
    data = "source_id,記号,番号,氏名,好きな色\nM-1,1001,42,山田,赤\n".encode()

    report = import_csv(data=data, kind=MEMBERS, by=SYSTEM)

    assert {(e.row, e.field) for e in report.errors} == {
        (1, "好きな色"),
        (1, "branch"),
        (1, "name_kana"),
        (1, "birth_date"),
        (1, "sex"),
        (1, "acquired_on"),
    }


def test_mynumber_act_an_import_masks_a_my_number_and_reports_the_row():
    # Kumiai keeps no 個人番号 (番号法第20条): an import cannot be refused row by row without
    # refusing the whole file, so the number is masked and the row named in the report.
    member = MemberFactory(symbol="1001", number="42", branch="00")
    category("receipts")
    payload = {
        **EXAMPLE_PAYLOADS["receipts"],
        "diagnoses": ["急性上気道炎 ｍｎ１２３４５６７８９０１８"],
    }
    rows = [
        [
            "R-1",
            "1001",
            "42",
            "00",
            "receipts",
            "2026-04-01",
            "番号 1234 5678 9018",
            json.dumps(payload),
        ],
        [
            "R-2",
            "1001",
            "42",
            "00",
            "receipts",
            "2026-04-01",
            "外来",
            json.dumps(EXAMPLE_PAYLOADS["receipts"]),
        ],
    ]

    report = import_csv(data=_records_csv(*rows), kind=RECORDS, by=SYSTEM)

    assert report.ok and report.created == 2
    assert [(note.row, note.field) for note in report.masked] == [(2, "payload"), (2, "title")]
    assert "個人番号" in report.masked[0].reason
    stored = Record.objects.get(member=member, source_id="R-1")
    assert stored.title == "番号 **** **** ****"
    assert stored.payload["diagnoses"] == ["急性上気道炎 mn************"]
    assert report.as_dict()["masked"][0]["row"] == 2
    event = Event.objects.get(action=Action.RECORDS_RECORD_IMPORTED)
    assert event.details["masked"] == 2
    assert "123456789018" not in json.dumps(event.details)


def test_mynumber_act_a_member_import_masks_the_name_fields():
    csv = MEMBERS_CSV.replace("大阪支社", "大阪支社123456789018")

    report = import_csv(data=csv.encode(), kind=MEMBERS, by=SYSTEM)

    assert report.ok and [(n.row, n.field) for n in report.masked] == [(4, "employer")]
    assert Member.objects.get(source_id="M-3").employer == "大阪支社************"
