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


TYPED = [
    ("山田花子さんの件", "［消去済み：氏名］さんの件"),
    ("山田　花子様", "［消去済み：氏名］様"),
    ("やまだ はなこ", "［消去済み：フリガナ］"),
    ("ﾔﾏﾀﾞﾊﾅｺ", "［消去済み：フリガナ］"),
    ("記号9901-7700004-00", "記号［消去済み：記号・番号］"),
    ("番号７７００００４です", "番号［消去済み：記号・番号］です"),
    ("電話 ０３（１２３４）５６７８", "電話 ［消去済み：電話番号］"),
    ("HANAKO@EXAMPLE.JP まで", "［消去済み：メールアドレス］ まで"),
    ("東京都千代田区１－２－３", "［消去済み：住所］"),
]


@pytest.mark.parametrize(("typed", "kept"), TYPED)
def test_it_finds_each_value_however_typed_and_notes_what_went(typed, kept):
    assert PERSON.redact(typed)[0] == kept


def passes_prefilter(person: Person, text: str) -> bool:
    """What `disclosure.copies.may_name` asks of a text in SQL (LIKE '%form%')."""
    if person.needles is None:
        return True
    return any(
        all(any(form in text for form in forms) for forms in value) for value in person.needles
    )


@pytest.mark.parametrize(("typed", "kept"), TYPED)
def test_the_sql_prefilter_keeps_every_text_the_matcher_finds(typed, kept):
    assert PERSON.found_in(typed) and passes_prefilter(PERSON, typed)
    # In the middle of other text, and once per value in a text of several.
    assert passes_prefilter(PERSON, f"先日の件。{typed}。以上")


def test_the_sql_prefilter_leaves_out_texts_that_share_no_value():
    for text in ("鈴木一郎さんの給付の確認", "番号1234568の件", "電話 045-111-2222", ""):
        assert not PERSON.found_in(text) and not passes_prefilter(PERSON, text)
    assert not passes_prefilter(Person(), "山田花子")  # nobody: nothing to read


def test_a_value_of_letters_alone_reads_every_text():
    # Case folding reaches past lower() and upper() (the Kelvin sign for K): no LIKE is safe.
    letters = Person().plus(emails=["kei@example.jp"])
    assert letters.found_in("KEI@EXAMPLE.JP") and letters.needles is not None
    assert Person().plus(names=["Kei Ito"]).needles is None


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
