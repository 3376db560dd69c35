"""The disclosure package as the member reads it: JSON, CSV and a Japanese PDF in one ZIP,
with the withheld records marked and the third-party provision records."""

import csv
import datetime
import hashlib
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from audit.models import Event
from audit.vocabulary import Action
from disclosure import package
from disclosure.models import DecisionItem, Kind
from records import gate
from records.models import Record, ThirdPartyProvision
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.models import Approval
from safeguards.testing import second_officer_approves
from tests.pdf import pdf_words

from .factories import RequestFactory

pytestmark = pytest.mark.django_db
# Too wide for its column: the PDF must wrap it, not cut it off.
LONG_FACILITY = "千代田区立総合健診センター附属第二検査棟（旧庁舎東館三階、受付は一階正面玄関から）"


@pytest.fixture
def held(register):
    member = MemberFactory()
    checks = [
        RecordFactory(
            member=member,
            category=register["health-checks"],
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            title=f"健康診査 {n}",
            payload={"facility": LONG_FACILITY if n == 0 else "千代田健診センター", "bmi": 21.4},
        )
        for n in range(120)
    ]
    receipt = RecordFactory(
        member=member, category=register["receipts"], title="秘匿レセプト", payload={"points": 1}
    )
    ThirdPartyProvision.objects.create(
        member=member,
        category=register["health-checks"],
        recipient="東京都予防医学協会",
        provided_on=datetime.date(2025, 7, 1),
        items=["氏名", "健診結果"],
        legal_basis=ThirdPartyProvision.LegalBasis.CONSENT,
    )
    records = Record.objects.filter(pk__in=[r.pk for r in [*checks, receipt]])
    request = RequestFactory(member=member, include_provision_records=True)
    DecisionItem.objects.create(
        request=request,
        kind=Kind.DISCLOSURE,
        granted=False,
        category=register["receipts"],
        ground=DecisionItem.Ground.HARM,
        reason="治療に支障があるため",
    )
    return request, list(records.select_related("category").order_by("category__order", "date"))


def _built(request, records, officer):
    # As in a request: the gated reads (the provision records) are logged by a ledger.
    second_officer_approves(Approval.Kind.PACKAGE_RELEASE, request)  # 要配慮個人情報
    with gate.ledger():
        made = package.build(request=request, records=records, by=officer)
    content = made.file.read()
    return made, content, zipfile.ZipFile(io.BytesIO(content))


def test_it_writes_a_readable_japanese_pdf_by_category(held, officer):
    request, records = held
    _made, _content, archive = _built(request, records, officer)

    reader = PdfReader(io.BytesIO(archive.read("disclosure.pdf")))
    pages = ["".join(page.extract_text().split()) for page in reader.pages]
    text = "".join(pages)
    assert reader.metadata.title == "保有個人データの開示"
    assert f"受付番号{request.receipt_number}" in text
    assert "健康診査に関する情報（120件）" in text and "レセプトに関する情報（1件）" in text
    assert "健康診査119" in text
    assert LONG_FACILITY in text  # wrapped within its cell, nothing cut
    # The table flows across pages with its header on each of them.
    assert len(pages) > 2 and all("日付件名内容" in page for page in pages[1:])


def test_it_marks_what_the_decision_withheld_with_its_ground(held, officer):
    request, records = held
    _made, _content, archive = _built(request, records, officer)

    text = pdf_words(archive.read("disclosure.pdf"))
    assert "［不開示］" in text and "法第33条第2項第1号" in text
    assert "秘匿レセプト" not in text
    rows = json.loads(archive.read("records.json"))
    withheld = [row for row in rows if "redacted" in row]
    assert [(row["title"], row["payload"]) for row in withheld] == [("［不開示］", {})]
    assert "秘匿レセプト" not in archive.read("records.csv").decode("utf-8-sig")


def test_it_gives_the_same_rows_in_json_and_csv(held, officer):
    request, records = held
    _made, _content, archive = _built(request, records, officer)

    rows = json.loads(archive.read("records.json"))
    assert rows == package.rows_for(request, records)
    raw = archive.read("records.csv")
    assert raw.startswith("\ufeff".encode())  # for spreadsheet software
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [int(line["記録ID"]) for line in table] == [row["id"] for row in rows]
    assert json.loads(table[0]["内容（JSON）"]) == rows[0]["payload"]


def test_it_includes_the_third_party_provision_records(held, officer):
    request, records = held
    _made, _content, archive = _built(request, records, officer)

    assert json.loads(archive.read("provisions.json"))[0]["recipient"] == "東京都予防医学協会"
    text = pdf_words(archive.read("disclosure.pdf"))
    assert "第三者提供記録" in text and "東京都予防医学協会" in text and "氏名、健診結果" in text
    # Read through the gate, on the statutory path, and logged like the records.
    read = Event.objects.get(action=Action.RECORDS_ACCESS_READ, target_type="disclosure.request")
    assert read.details["statutory"] is True
    assert read.details["members"] == [request.member_id]


def test_it_audits_the_package_with_its_digest(held, officer):
    request, records = held
    made, content, _archive = _built(request, records, officer)

    assert made.sha256 == hashlib.sha256(content).hexdigest()
    event = Event.objects.get(action=Action.DISCLOSURE_PACKAGE_BUILT)
    assert event.details | {"request": request.pk} == {
        "request": request.pk,
        "records": 121,
        "redacted": 1,
        "provisions": 1,
        "sha256": made.sha256,
    }


def test_it_says_so_when_nothing_but_the_members_own_row_is_held(register, officer):
    request = RequestFactory(member=MemberFactory())
    _made, _content, archive = _built(request, [], officer)

    assert json.loads(archive.read("records.json")) == []
    assert "加入者の情報のほかに保有する記録はありません。" in pdf_words(
        archive.read("disclosure.pdf")
    )


def test_it_writes_each_date_in_wareki_on_one_line(register, officer):
    # The longest 和暦 dates: two-digit year, month and day, and 元年 with two-digit month
    # and day. A date cut over two lines reads as two dates: in a record's row and in a
    # 第三者提供記録's.
    days = [datetime.date(2018, 12, 28), datetime.date(2019, 12, 31), datetime.date(2025, 1, 1)]
    member = MemberFactory()
    records = [
        RecordFactory(member=member, category=register["health-checks"], date=day, title="健診")
        for day in days
    ]
    for day in days:
        ThirdPartyProvision.objects.create(
            member=member,
            category=register["health-checks"],
            recipient="東京都予防医学協会",
            provided_on=day,
            items=["健診結果"],
            legal_basis=ThirdPartyProvision.LegalBasis.CONSENT,
        )
    request = RequestFactory(member=member, include_provision_records=True)
    _made, _content, archive = _built(request, records, officer)

    lines = [
        line.strip()
        for page in PdfReader(io.BytesIO(archive.read("disclosure.pdf"))).pages
        for line in page.extract_text().splitlines()
    ]
    for date in ("平成30年12月28日", "令和元年12月31日", "令和7年1月1日"):
        assert sum(line.startswith(date) for line in lines) == 2, date
