"""core.traces: a person's values found in free text however they were typed, and replaced by
a note that says what was there; identities compared field by field."""

import datetime

import pytest

from core.traces import Identity, Person

PERSON = Person().plus(
    names=["山田 花子"],
    kana=["ヤマダ ハナコ"],
    numbers=[("9901", "7700004", "00")],
    phones=["03-1234-5678"],
    emails=["hanako@example.jp"],
    addresses=["東京都千代田区1-2-3"],
)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("山田花子さんの件", "［消去済み：氏名］さんの件"),
        ("山田　花子様", "［消去済み：氏名］様"),
        ("やまだ はなこ", "［消去済み：フリガナ］"),
        ("ﾔﾏﾀﾞﾊﾅｺ", "［消去済み：フリガナ］"),
        ("記号9901-7700004-00", "記号［消去済み：記号・番号］"),
        ("番号７７００００４です", "番号［消去済み：記号・番号］です"),
        ("電話 ０３（１２３４）５６７８", "電話 ［消去済み：電話番号］"),
        ("HANAKO@EXAMPLE.JP まで", "［消去済み：メールアドレス］ まで"),
        ("東京都千代田区１－２－３", "［消去済み：住所］"),
    ],
)
def test_it_finds_each_value_however_typed_and_notes_what_went(typed, kept):
    assert PERSON.redact(typed)[0] == kept


def test_it_leaves_other_numbers_names_and_texts_alone():
    text = "番号17700004と77000041、山田太郎さん、花子さん"
    assert PERSON.redact(text) == (text, [])
    # A short 番号 inside a token (a session's key, a hash) is not hers; standing alone it is.
    short = Person().plus(numbers=[("1001", "45", "")])
    assert short.found_in('{"_auth_user_hash": "9fa45bc0", "key": "Ｘ45ｙ"}') == []
    assert short.found_in("番号45の件") == short.found_in("No.45") == ["記号・番号"]
    assert Person().plus(names=["山"]).redact("山田") == ("山田", [])  # too short to strike


def test_it_says_what_it_removed_in_the_order_declared():
    assert PERSON.found_in("山田花子 hanako@example.jp 7700004") == [
        "メールアドレス",
        "氏名",
        "記号・番号",
    ]


def test_identities_compare_field_by_field_and_a_card_without_its_branch():
    mine = Identity.of(
        name="山田 花子",
        kana="やまだ はなこ",
        birth_date=datetime.date(1980, 1, 2),
        symbol="9901",
        number="7700004",
        branch="00",
    )
    typo = Identity.of(
        name="山田花子",
        kana="ヤマダハナコ",
        birth_date=datetime.date(1980, 1, 3),
        symbol="９９０１",
        number="7700004",
        branch="00",
    )
    assert mine.compare(typo) == (["氏名", "フリガナ", "記号・番号"], ["生年月日"])
    complaint = Identity.of(name="", symbol="9901", number="7700004")
    assert mine.compare(complaint) == (["記号・番号"], [])
