"""The 遺族 開示依頼 (the MHLW notice 「診療報酬明細書等の被保険者等への開示について」, outside
APPI, which protects the living): the bereaved ask for a deceased member's receipts, the
medical institution is asked only with their consent, and their letters cite the notice.
Read back as the bereaved read them: the package's PDF and JSON, and the letters."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError

from disclosure import letters, services
from disclosure.models import DecisionItem, IdentityDocument, Kind, Letter, Request
from records import gate
from records.services import member_update
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.models import Approval
from safeguards.testing import second_officer_approves
from tests.pdf import pdf_words

from .factories import RequestFactory

pytestmark = pytest.mark.django_db
State = Request.State
DIED = datetime.date(2026, 1, 15)


@pytest.fixture
def deceased(register, superuser):
    member = MemberFactory(
        symbol="4004",
        number="12",
        branch="00",
        name="鈴木一郎",
        name_kana="スズキ イチロウ",
        birth_date=datetime.date(1950, 8, 1),
        employer="港商事株式会社",
    )
    member_update(member=member, by=superuser, died_on=DIED)
    for title, month in (("入院（内科）", "2025-12"), ("外来（整形外科）", "2025-11")):
        RecordFactory(
            member=member,
            category=register["receipts"],
            date=datetime.date.fromisoformat(f"{month}-28"),
            title=title,
            payload={"institution_name": "港中央病院", "points": 1200},
        )
    RecordFactory(member=member, category=register["health-checks"], title="特定健診2025")
    RecordFactory(member=member, category=register["bank-accounts"], title="給付金振込口座")
    member.refresh_from_db()
    return member


def _document(request, role):
    return IdentityDocument.objects.create(
        request=request, role=role, content_type="image/jpeg", size=1, sha256="0" * 64
    )


def _bereaved(deceased, *, consent=True, state=State.IDENTITY_CHECK, **fields) -> Request:
    request = RequestFactory(
        member_symbol=deceased.symbol,
        member_number=deceased.number,
        member_branch=deceased.branch,
        birth_date=deceased.birth_date,
        name=deceased.name,
        name_kana=deceased.name_kana,
        bereaved_relationship=Request.Bereaved.CHILD,
        bereaved_name="鈴木次郎",
        bereaved_name_kana="スズキ ジロウ",
        postal_code="105-0001",
        address="東京都港区虎ノ門1-1",
        institution_consent=consent,
        state=state,
        **fields,
    )
    _document(request, IdentityDocument.Role.IDENTITY)
    _document(request, IdentityDocument.Role.BEREAVEMENT)
    letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    return request


def _letter(request, kind) -> str:
    return pdf_words(request.letters.get(kind=kind).file.read())


def _receipts(member) -> list[int]:
    return list(
        member.records.filter(category__code="receipts")
        .order_by("date")
        .values_list("pk", flat=True)
    )


def _consult(request, by, receipts, *, hinders_care=False):
    return services.consultation_record(
        request=request,
        receipts=receipts,
        by=by,
        institution="港中央病院",
        asked_on=datetime.date(2026, 2, 2),
        answered_on=datetime.date(2026, 2, 9),
        hinders_care=hinders_care,
    )


def _granted(member, **fields) -> list[dict]:
    return [
        {"kind": Kind.DISCLOSURE, "granted": True, "record_id": pk, **fields}
        for pk in _receipts(member)
    ]


def _carried_out(request, by, items):
    with gate.ledger():
        services.request_decide(request=request, items=items, reasons="", by=by)
        second_officer_approves(Approval.Kind.PACKAGE_RELEASE, request)  # 要配慮個人情報
        services.request_carry_out(request=request, by=by)
    request.refresh_from_db()
    return request


def test_mhlw_bereaved_child_receives_the_deceased_receipts_only(officer, deceased):
    request = _bereaved(deceased)
    with gate.ledger():
        services.request_match(request=request, member=deceased, by=officer)
    request.refresh_from_db()
    _consult(request, officer, _receipts(deceased))
    request = _carried_out(request, officer, _granted(deceased))

    archive = zipfile.ZipFile(io.BytesIO(request.packages.get().file.read()))
    rows = json.loads(archive.read("records.json"))
    assert [row["category_code"] for row in rows] == ["receipts", "receipts"]
    held = json.loads(archive.read("member.json"))
    # Whose receipts they are, by name and dates: nothing else of the member.
    assert held["member"] == {
        "name": "鈴木一郎",
        "birth_date": "1950-08-01",
        "died_on": "2026-01-15",
    }
    assert held["restrictions"] == [] and held["requests"] == []
    text = pdf_words(archive.read("disclosure.pdf"))
    assert "死亡した加入者の診療報酬明細書等の開示" in text
    assert "鈴木次郎様" in text  # addressed to the bereaved child
    assert "死亡日令和8年1月15日" in text and "入院（内科）" in text
    for absent in ("特定健診", "給付金振込口座", "港商事", "4004-12-00", "フリガナ"):
        assert absent not in text
    # Its own letters: the MHLW notice, never the APPI articles nor the PPC.
    for kind in (Letter.Kind.ACKNOWLEDGEMENT, Letter.Kind.DECISION, Letter.Kind.COMPLETION):
        letter = _letter(request, kind)
        assert "鈴木次郎様" in letter
        assert "診療報酬明細書等の被保険者等への開示について" in letter
        assert "遺族への診療報酬明細書等の開示" in letter
        assert "法第33条" not in letter and "個人情報保護委員会" not in letter
    assert "全部開示" in _letter(request, Letter.Kind.DECISION)


def test_mhlw_bereaved_without_consent_institution_not_consulted(officer, deceased):
    request = _bereaved(deceased, consent=False, state=State.REVIEW, member=deceased)
    with pytest.raises(ValidationError) as refused:
        _consult(request, officer, _receipts(deceased))
    assert "同意していないため、医療機関には照会しません" in str(refused.value)
    assert not request.consultations.exists()
    # Decided receipt by receipt without the institution: one withheld on the notice's ground.
    first, second = _receipts(deceased)
    items = [
        {"kind": Kind.DISCLOSURE, "granted": True, "record_id": first},
        {
            "kind": Kind.DISCLOSURE,
            "granted": False,
            "record_id": second,
            "ground": DecisionItem.Ground.BEREAVED,
            "reason": "故人の生前の意思に反するおそれがあるため。",
        },
    ]
    request = _carried_out(request, officer, items)
    assert request.outcome == Request.Outcome.PARTIAL
    decision = _letter(request, Letter.Kind.DECISION)
    assert "一部開示" in decision and "故人の生前の意思に反するおそれがあるため" in decision
    assert "厚生労働省通知" in decision and "法第33条" not in decision
    rows = json.loads(
        zipfile.ZipFile(io.BytesIO(request.packages.get().file.read())).read("records.json")
    )
    assert [row.get("redacted", "") != "" for row in rows] == [False, True]


def test_mhlw_bereaved_receipt_the_institution_flags_is_withheld_on_the_notice(officer, deceased):
    request = _bereaved(deceased, state=State.REVIEW, member=deceased)
    first, second = _receipts(deceased)
    _consult(request, officer, [first])
    _consult(request, officer, [second], hinders_care=True)
    request = _carried_out(request, officer, _granted(deceased))
    refused = request.items.get(granted=False)
    assert (refused.record_id, refused.ground) == (second, DecisionItem.Ground.BEREAVED)
    decision = _letter(request, Letter.Kind.DECISION)
    assert "法第33条" not in decision and "診療上の支障" not in decision


def test_bereaved_request_for_a_living_member_refused_at_matching(officer, register, superuser):
    living = MemberFactory(symbol="5005", number="3", branch="00")
    request = _bereaved(living)
    with pytest.raises(ValidationError) as refused, gate.ledger():
        services.request_match(request=request, member=living, by=officer)
    assert "死亡日が記録されていません" in str(refused.value)
    request.refresh_from_db()
    assert request.state == State.IDENTITY_CHECK


def test_bereaved_request_without_proof_of_the_death_refused_at_matching(officer, deceased):
    request = _bereaved(deceased)
    request.documents.filter(role=IdentityDocument.Role.BEREAVEMENT).delete()
    with pytest.raises(ValidationError) as refused, gate.ledger():
        services.request_match(request=request, member=deceased, by=officer)
    assert "戸籍謄本" in str(refused.value)


def test_appi_deceased_members_own_request_refused_at_matching(officer, deceased):
    request = RequestFactory(
        member_symbol=deceased.symbol,
        member_number=deceased.number,
        member_branch=deceased.branch,
        birth_date=deceased.birth_date,
        state=State.IDENTITY_CHECK,
    )
    with pytest.raises(ValidationError) as refused, gate.ledger():
        services.request_match(request=request, member=deceased, by=officer)
    assert "この加入者は死亡しています（死亡日 令和8年1月15日）" in str(refused.value)
    assert "遺族からの診療報酬明細書等の開示依頼" in str(refused.value)


def test_mhlw_bereaved_filing_asks_for_the_receipts_alone(officer, register):
    filed, _token = services.request_file(
        fields={
            "filer": Request.Filer.SELF,
            "bereaved_relationship": Request.Bereaved.SPOUSE,
            "bereaved_name": "鈴木花子",
            "bereaved_name_kana": "スズキ ハナコ",
            "institution_consent": True,
            "kinds": [Kind.DISCLOSURE],
            "method": Request.Method.POST,
            "member_symbol": "4004",
            "member_number": "12",
            "member_branch": "00",
            "name": "鈴木一郎",
            "name_kana": "スズキ イチロウ",
            "birth_date": datetime.date(1950, 8, 1),
            "postal_code": "105-0001",
            "address": "東京都港区虎ノ門1-1",
            "phone": "03-1234-5678",
        },
        categories=[register["health-checks"]],
        documents=[],
        channel=Request.Channel.COUNTER,
        by=officer,
        base_url="http://testserver/",
    )
    assert [c.code for c in filed.categories.all()] == ["receipts"]
    ack = _letter(filed, Letter.Kind.ACKNOWLEDGEMENT)
    assert "鈴木花子様" in ack and "診療報酬明細書等の開示のご依頼" in ack
    assert "法第33条" not in ack
