"""As many decisions per Art. 35 kind as the request needs (APPI Art. 35, Art. 36): a request
to erase five records is decided record by record. The decision page's 「行を追加」 draws it
again with what was typed and one more row of that kind, and decides nothing: no item, no
move, no event but the reads. The rows are counted by the page, never past a cap, and a count
or a row the page did not draw is refused in Japanese. Proved on the form, on the page, and by
the letter read back from its PDF."""

import datetime

import pytest

from audit.models import Event
from disclosure.models import DecisionItem, Kind, Request
from disclosure.moves import ADD_ROW, ADDED_ROWS, MAX_ADDED_ROWS, DecideForm
from records import gate
from records.models import Record
from records.tests.factories import RecordFactory

from .test_admin_moves import move
from .test_art35_decisions import filed, letter

pytestmark = pytest.mark.django_db
State = Request.State
Case, Ground = DecisionItem.Case, DecisionItem.Ground
KIND = Kind.ERASURE
URL = "/admin/disclosure/request/{pk}/move/decided/"


@pytest.fixture
def five(member, register):
    """Five receipts past the five years the register keeps them (2020): each may go."""
    return [
        RecordFactory(
            member=member,
            category=register["receipts"],
            date=datetime.date(2020, month, 1),
            title=f"外来{month}月",
        )
        for month in range(1, 6)
    ]


def form_of(request, officer, data=None) -> DecideForm:
    with gate.ledger():
        return DecideForm(data, obj=request, user=officer)


def press(client, request, data: dict):
    """Send the decision page as drawn, with `data` (a button's name among it)."""
    return client.post(
        URL.format(pk=request.pk), {"_state": request.state, "_confirm": "1", **data}
    )


def not_reads() -> list[str]:
    return list(Event.objects.exclude(action__startswith="records.access.").values_list("action"))


# The request's own row of 消去, granted: what every page below sends beside its added rows.
FIRST = {"reasons": "", "items-0-granted": "yes", "items-0-case": Case.NO_LONGER_NEEDED}


def row(number: int, **fields) -> dict:
    return {f"added-{KIND}-{number}-{name}": value for name, value in fields.items()}


def test_art35_the_page_draws_two_added_rows_and_a_button_to_add_one(member, officer):
    request = filed(member, Kind.SUSPENSION, KIND)
    form = form_of(request, officer)
    assert [(kind, count, len(rows)) for kind, count, rows in form.added_kinds] == [
        (Kind.SUSPENSION, ADDED_ROWS, ADDED_ROWS),
        (KIND, ADDED_ROWS, ADDED_ROWS),
    ]


def test_art35_adding_a_row_keeps_what_was_typed_and_decides_nothing(
    sign_in, member, officer, five
):
    request = filed(member, KIND)
    typed = {
        **FIRST,
        "reasons": "全体の理由です。",
        "items-0-record_id": str(five[0].pk),
        f"added-{KIND}-rows": "2",
        **row(0, granted="no", record_id=str(five[1].pk), ground=Ground.NO_REASON),
        **row(0, reason="この記録は審査中です。", case=Case.LEAK),
    }
    before = not_reads()
    form = form_of(request, officer, {**typed, ADD_ROW: KIND})
    assert not form.is_valid() and not form.errors  # unbound: nothing decided, nothing said
    ((_kind, count, rows),) = form.added_kinds
    assert count == 3 and [r.number for r in rows] == [1, 2, 3]
    assert form["reasons"].value() == "全体の理由です。"
    assert form.rows[0]["record_id"].value() == str(five[0].pk)
    first = rows[0]
    assert [first[name].value() for name in ("granted", "record_id", "ground", "case")] == [
        "no",
        str(five[1].pk),
        Ground.NO_REASON,
        Case.LEAK,
    ]
    assert first["reason"].value() == "この記録は審査中です。"
    assert rows[2]["granted"].value() is None and not rows[2]["reason"].value()

    page = press(sign_in(officer), request, {**typed, ADD_ROW: KIND})
    html = page.content.decode()
    assert page.status_code == 200
    assert "消去：追加の明細 3" in html and "消去：追加の明細 4" not in html
    assert f'name="added-{KIND}-rows" value="3"' in html
    assert "この記録は審査中です。" in html and "全体の理由です。" in html
    assert "消去の行を追加" in html and 'class="errorlist' not in html
    request.refresh_from_db()
    assert request.state == State.REVIEW and not request.items.exists()
    assert not request.letters.filter(kind="decision").exists()
    assert not_reads() == before  # no move, no item: only the reads of the page


def test_art35_five_records_are_decided_one_by_one_and_the_letter_lists_each(
    sign_in, member, officer, five
):
    """The first row and four added ones: two 「行を追加」 to reach them, then the decision."""
    client = sign_in(officer)
    request = filed(member, KIND)
    data = {
        **FIRST,
        "items-0-record_id": str(five[0].pk),
        f"added-{KIND}-rows": str(ADDED_ROWS),
    }
    for count in (3, 4):
        page = press(client, request, {**data, ADD_ROW: KIND})
        assert f'name="added-{KIND}-rows" value="{count}"' in page.content.decode()
        data[f"added-{KIND}-rows"] = str(count)
    for number, record in enumerate(five[1:]):
        if number == 2:  # the fourth receipt is refused, on its own row
            data |= row(number, granted="no", case=Case.NO_LONGER_NEEDED, ground=Ground.NO_REASON)
            data |= row(number, reason="過誤の調査に使っているため。")
        else:
            data |= row(number, granted="yes", case=Case.NO_LONGER_NEEDED)
        data |= row(number, record_id=str(record.pk))
    _response, said = move(client, request, State.DECIDED, data)
    assert request.state == State.DECIDED, said
    assert [(item.granted, item.record_id) for item in request.items.all()] == [
        (True, five[0].pk),
        (True, five[1].pk),
        (True, five[2].pk),
        (False, five[3].pk),
        (True, five[4].pk),
    ]
    text = letter(request)
    for record in (five[0], five[1], five[2], five[4]):
        assert f"消去記録ID{record.pk}請求のとおり実施します。" in text
    assert f"消去記録ID{five[3].pk}実施しません。" in text
    assert "理由：過誤の調査に使っているため。" in text


@pytest.mark.parametrize(
    "count", ["-1", "0", "1", str(MAX_ADDED_ROWS + 1), "1000000", "abc", "", "3.5", "9" * 5000]
)
def test_art35_a_row_count_the_page_did_not_draw_is_refused_in_japanese(
    sign_in, member, officer, count
):
    request = filed(member, KIND)
    for pressed in ({}, {ADD_ROW: KIND}):
        page = press(sign_in(officer), request, {**FIRST, f"added-{KIND}-rows": count, **pressed})
        html = page.content.decode()
        assert page.status_code == 200
        assert "画面にない明細の欄が送られたため、決定しませんでした。" in html
        # Drawn again with the rows a fresh page has (and one more where one was added).
        drawn = ADDED_ROWS + len(pressed)
        assert f"消去：追加の明細 {drawn}" in html and f"消去：追加の明細 {drawn + 1}" not in html
    request.refresh_from_db()
    assert request.state == State.REVIEW and not request.items.exists()


def test_art35_rows_are_added_up_to_the_cap_and_politely_no_further(sign_in, member, officer):
    request = filed(member, KIND)
    full = {f"added-{KIND}-rows": str(MAX_ADDED_ROWS), ADD_ROW: KIND}
    form = form_of(request, officer, full)
    ((_kind, count, rows),) = form.added_kinds
    assert count == len(rows) == MAX_ADDED_ROWS
    assert form.row_errors == [f"追加の明細は、種類ごとに{MAX_ADDED_ROWS}行までです。"]
    html = press(sign_in(officer), request, full).content.decode()
    assert f"追加の明細は、種類ごとに{MAX_ADDED_ROWS}行までです。" in html


@pytest.mark.parametrize(
    ("sent", "said"),
    [
        # A button for a kind the request does not hold, or none at all.
        ({ADD_ROW: Kind.DISCLOSURE}, "行を追加できる利用停止・消去・第三者提供の停止がありません"),
        ({ADD_ROW: "<script>"}, "行を追加できる利用停止・消去・第三者提供の停止がありません"),
        # A row past the count, and one of a kind the request does not hold: never dropped
        # quietly, since the officer would think it decided.
        (row(7, granted="yes", record_id="1"), "画面にない明細の欄が送られたため"),
        ({f"added-{Kind.SUSPENSION}-0-granted": "yes"}, "画面にない明細の欄が送られたため"),
        ({f"added-{Kind.SUSPENSION}-rows": "3"}, "画面にない明細の欄が送られたため"),
        ({f"added-{KIND}-x-granted": "yes"}, "画面にない明細の欄が送られたため"),
    ],
)
def test_art35_a_tampered_button_or_row_is_refused_in_japanese(
    sign_in, member, officer, sent, said
):
    request = filed(member, KIND)
    page = press(sign_in(officer), request, {**FIRST, **sent})
    assert page.status_code == 200 and said in page.content.decode()
    request.refresh_from_db()
    assert request.state == State.REVIEW and not request.items.exists()
    assert Record.objects.filter(member=member).count() == 2
