"""What a member receives from an Art. 33 disclosure, read back as they read it: the package's
PDF (pypdf), its CSV and JSON, and the decision letter (Art. 36)."""

import csv
import datetime
import io
import json
import zipfile

import pytest

from audit.models import Event
from audit.vocabulary import Action
from disclosure import services
from disclosure.models import DecisionItem, Kind, Letter, Request
from records import gate
from records.models import Restriction, ThirdPartyProvision
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.models import Approval, StatutoryGround
from safeguards.testing import second_officer_approves
from tests.pdf import pdf_words

from .factories import RequestFactory

pytestmark = pytest.mark.django_db
State = Request.State


@pytest.fixture
def member(register):
    member = MemberFactory(
        symbol="3003",
        number="7",
        branch="01",
        name="佐藤一郎",
        name_kana="サトウ イチロウ",
        birth_date=datetime.date(1985, 6, 20),
        employer="千代田商事株式会社",
        acquired_on=datetime.date(2010, 4, 1),
    )
    RecordFactory(
        member=member,
        category=register["health-checks"],
        date=datetime.date(2025, 5, 1),
        title="特定健診",
        payload={
            "examined_on": "2025-05-01",
            "facility": "千代田健診センター",
            "height_cm": 170.0,
            "weight_kg": 65.0,
            "bmi": 22.5,
            "smoker": True,
        },
    )
    RecordFactory(
        member=member,
        category=register["receipts"],
        date=datetime.date(2019, 2, 28),
        title="外来（整形外科）",
        payload={
            "treatment_month": "2019-02",
            "institution_code": "1312345678",
            "institution_name": "千代田病院",
            "claim_type": "医科",
            "setting": "外来",
            "points": 1200,
            "diagnoses": ["腰痛症"],
        },
    )
    RecordFactory(
        member=member,
        category=register["bank-accounts"],
        date=datetime.date(2024, 1, 10),
        title="給付金振込口座",
        payload={
            "bank_name": "みずほ銀行",
            "branch_name": "丸の内支店",
            "account_type": "普通",
            "account_number": "1234567",
            "holder_kana": "サトウ イチロウ",
        },
    )
    return member


def _request(member, **fields) -> Request:
    return RequestFactory(
        member=member,
        member_symbol=member.symbol,
        member_number=member.number,
        member_branch=member.branch,
        birth_date=member.birth_date,
        name=member.name,
        **{"state": State.REVIEW, **fields},
    )


def _consulted(request, by, *, hinders_care=False):
    receipts = [record.pk for record in request.member.records.filter(category__code="receipts")]
    services.consultation_record(
        request=request,
        receipts=receipts,
        by=by,
        institution="千代田病院",
        asked_on=datetime.date(2026, 4, 2),
        answered_on=datetime.date(2026, 4, 3),
        hinders_care=hinders_care,
    )


def _decided_and_carried_out(request, by, items=None, *, decided_by=None):
    """Decided by the officer (`decided_by`, else `by`), carried out by `by`."""
    items = items or [{"kind": Kind.DISCLOSURE, "granted": True}]
    with gate.ledger():
        services.request_decide(request=request, items=items, reasons="", by=decided_by or by)
        second_officer_approves(Approval.Kind.PACKAGE_RELEASE, request)  # 要配慮個人情報
        services.request_carry_out(request=request, by=by)
    request.refresh_from_db()
    return request


def _package(request):
    return zipfile.ZipFile(io.BytesIO(request.packages.get().file.read()))


def _letter(request, kind) -> str:
    return pdf_words(request.letters.get(kind=kind).file.read())


def test_art33_1_discloses_every_category_whatever_the_handlers_scope(
    handler_kenshin, officer, member
):
    # handler_kenshin's scope is 健康診査 only: no bank accounts, no receipts.
    request = _request(member)
    _consulted(request, handler_kenshin)
    request = _decided_and_carried_out(request, handler_kenshin, decided_by=officer)

    archive = _package(request)
    codes = {row["category_code"] for row in json.loads(archive.read("records.json"))}
    assert codes == {"health-checks", "receipts", "bank-accounts"}
    text = pdf_words(archive.read("disclosure.pdf"))
    assert "加入者の口座情報（1件）" in text and "金融機関名：みずほ銀行" in text
    # The member receives their own account number, unmasked.
    assert "口座番号：1234567" in text
    # Read on the request's statutory access, logged under the request, for this member only.
    reads = Event.objects.filter(action=Action.RECORDS_ACCESS_READ, details__statutory=True)
    assert reads and all(
        (e.target_type, e.target_id) == ("disclosure.request", str(request.pk))
        and e.details["members"] == [member.pk]
        for e in reads
    )
    # Nothing else widens: the handler's own reads, even on a statutory ground (no purpose
    # limit), still show this member's 健康診査 only.
    with gate.ledger():
        own = gate.open_access(
            user=handler_kenshin,
            surface=gate.Surface.ADMIN,
            statutory=gate.Statutory(ground=StatutoryGround.LAW, reason="照会への回答"),
        )
        shown = gate.records(own).filter(member=member)
        assert {record.category.code for record in shown} == {"health-checks"}


def test_art33_1_the_package_holds_the_members_own_row_restrictions_and_requests(
    officer, member, register
):
    Restriction.objects.create(
        member=member,
        kind=Restriction.Kind.SUSPEND_USE,
        category=register["health-checks"],
        since=datetime.date(2025, 4, 1),
        reference="250401-000001",
    )
    earlier = _request(
        member,
        receipt_number="250301-000009",
        state=State.CLOSED,
        outcome=Request.Outcome.FULL,
        decided_at=datetime.datetime(2025, 3, 20, tzinfo=datetime.UTC),
    )
    request = _request(member)
    _consulted(request, officer)
    request = _decided_and_carried_out(request, officer)

    archive = _package(request)
    text = pdf_words(archive.read("disclosure.pdf"))
    for shown in (
        "加入者の情報",
        "氏名佐藤一郎",
        "フリガナサトウイチロウ",
        "生年月日昭和60年6月20日",
        "記号・番号・枝番3003-7-01",
        "事業所千代田商事株式会社",
        "資格取得日平成22年4月1日",
        "資格喪失日",
        "利用停止等",
        "令和7年4月1日〜",
        "開示等の請求",
        earlier.receipt_number,
    ):
        assert shown in text, shown
    assert "保有個人データはありません" not in text
    held = json.loads(archive.read("member.json"))
    assert held["member"]["name"] == "佐藤一郎"
    assert held["member"]["birth_date"] == "1985-06-20"
    assert [r["reference"] for r in held["restrictions"]] == ["250401-000001"]


def test_art33_1_a_member_with_no_record_still_receives_their_own_row(officer, register):
    lone = MemberFactory(name="高橋花", birth_date=datetime.date(1990, 1, 1))
    request = _decided_and_carried_out(_request(lone), officer)

    text = pdf_words(_package(request).read("disclosure.pdf"))
    assert "氏名高橋花" in text
    assert "加入者の情報のほかに保有する記録はありません。" in text
    assert "保有個人データはありません" not in text


def test_art33_1_the_pdf_reads_as_a_person_writes_not_as_the_payload_is_stored(officer, member):
    request = _request(member)
    _consulted(request, officer)
    request = _decided_and_carried_out(request, officer)

    archive = _package(request)
    text = pdf_words(archive.read("disclosure.pdf"))
    for shown in (
        "保有個人データの開示",
        "佐藤一郎様",  # addressed to the member
        "健康保険組合",  # the issuer
        "診療年月：2019年2月",
        "傷病名：腰痛症",
        "点数：1,200",
        "喫煙：はい",
        "受診日：令和7年5月1日",
        "平成31年2月28日",  # the record's date, in 和暦
    ):
        assert shown in text, shown
    for stored in ("treatment_month", "smoker", "True", "['", "institution_code", "2019-02"):
        assert stored not in text, stored
    # The CSV keeps the payload as JSON for portability, under Japanese headers, with a BOM.
    raw = archive.read("records.csv")
    assert raw.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {"記録ID", "類型", "日付", "件名", "内容（JSON）"} <= set(table[0])
    receipt = next(row for row in table if row["類型コード"] == "receipts")
    assert json.loads(receipt["内容（JSON）"])["diagnoses"] == ["腰痛症"]


def test_art33_2_a_record_refused_on_its_own_is_withheld_and_the_letter_says_why(officer, member):
    request = _request(member)
    _consulted(request, officer)
    check = member.records.get(category__code="health-checks")
    items = [
        {"kind": Kind.DISCLOSURE, "granted": True},
        {
            "kind": Kind.DISCLOSURE,
            "granted": False,
            "record_id": check.pk,
            "ground": DecisionItem.Ground.HARM,
            "reason": "第三者の権利利益を害するおそれがあるため",
        },
    ]
    request = _decided_and_carried_out(request, officer, items)

    assert request.outcome == Request.Outcome.PARTIAL
    archive = _package(request)
    text = pdf_words(archive.read("disclosure.pdf"))
    assert "特定健診" not in text and "千代田健診センター" not in text
    assert "不開示（本人又は第三者の生命" in text
    assert "千代田健診センター" not in archive.read("records.json").decode()
    assert "千代田健診センター" not in archive.read("records.csv").decode("utf-8-sig")
    letter = _letter(request, Letter.Kind.DECISION)
    assert f"記録ID{check.pk}" in letter and "第三者の権利利益を害するおそれがあるため" in letter


def test_art33_2_a_withheld_field_of_a_shown_record_is_marked_with_its_ground(officer, member):
    request = _request(member)
    _consulted(request, officer)
    check = member.records.get(category__code="health-checks")
    items = [
        {"kind": Kind.DISCLOSURE, "granted": True},
        {
            "kind": Kind.DISCLOSURE,
            "granted": False,
            "record_id": check.pk,
            "field": "facility",
            "ground": DecisionItem.Ground.BUSINESS,
            "reason": "健診機関との契約上の支障があるため",
        },
    ]
    request = _decided_and_carried_out(request, officer, items)

    archive = _package(request)
    text = pdf_words(archive.read("disclosure.pdf"))
    assert "特定健診" in text and "喫煙：はい" in text
    assert "健診機関：［不開示］（業務の適正な実施に著しい支障" in text
    assert "千代田健診センター" not in text
    row = next(r for r in json.loads(archive.read("records.json")) if r["id"] == check.pk)
    assert row["payload"]["facility"] == "［不開示］"
    assert set(row["withheld_fields"]) == {"facility"}


def test_art33_2_1_a_receipt_the_institution_flags_is_refused_on_the_article_alone(officer, member):
    request = _request(member)
    _consulted(request, officer, hinders_care=True)
    request = _decided_and_carried_out(request, officer)

    receipt = member.records.get(category__code="receipts")
    refused = request.items.get(granted=False)
    assert (refused.record_id, refused.ground) == (receipt.pk, DecisionItem.Ground.HARM)
    assert request.outcome == Request.Outcome.PARTIAL
    package_text = pdf_words(_package(request).read("disclosure.pdf"))
    letter = _letter(request, Letter.Kind.DECISION)
    assert "一部開示" in letter and "法第33条第2項第1号" in letter
    assert "法第33条第2項第1号" in package_text and "腰痛症" not in package_text
    for text in (package_text, letter):
        assert "診療" not in text and "医療機関" not in text and "千代田病院" not in text


def test_art33_5_the_provision_records_are_those_art29_asks_to_keep(officer, member, register):
    for recipient, basis in (
        ("東京都予防医学協会", ThirdPartyProvision.LegalBasis.CONSENT),
        ("千代田警察署", ThirdPartyProvision.LegalBasis.LAW),
    ):
        ThirdPartyProvision.objects.create(
            member=member,
            category=register["health-checks"],
            recipient=recipient,
            provided_on=datetime.date(2025, 7, 1),
            items=["氏名", "健診結果"],
            legal_basis=basis,
        )
    request = _request(member, include_provision_records=True)
    _consulted(request, officer)
    request = _decided_and_carried_out(request, officer)

    archive = _package(request)
    text = pdf_words(archive.read("disclosure.pdf"))
    assert "第三者提供記録" in text and "東京都予防医学協会" in text and "令和7年7月1日" in text
    assert "千代田警察署" not in text
    table = list(csv.DictReader(io.StringIO(archive.read("provisions.csv").decode("utf-8-sig"))))
    assert [row["提供先"] for row in table] == ["東京都予防医学協会"]


def test_art36_the_decision_letter_is_complete(officer, member):
    request = _request(member)
    _consulted(request, officer)
    request = _decided_and_carried_out(request, officer)

    letter = _letter(request, Letter.Kind.DECISION)
    assert f"文書番号{request.receipt_number}-" in letter
    assert "〒100-0001東京都千代田区千代田1-1" in letter and "佐藤一郎様" in letter
    after = letter.split("下記の窓口までお問い合わせください")[1]
    assert "窓口" in after and "所在地" in after and "電話番号" in after
    numbers = [
        pdf_words(made.file.read()).split("文書番号")[1].split("令和")[0]
        for made in request.letters.all()
    ]
    assert len(set(numbers)) == len(numbers)
