"""利用停止・消去・第三者提供の停止 decided as APPI Art. 35 (as amended in 2022) reads, and told as
Art. 36 asks: the case the member invokes (paragraphs 1, 3 and 5), the grounds that belong to
these kinds, the retention duty named by its law, the proviso's alternative measure, and a
利用停止 limited to one purpose. Proved by what a person sees: the decision letter read back
from its PDF, the records a handler's screen still shows, a provision refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Event
from audit.vocabulary import Action
from disclosure import services
from disclosure.models import CASES, DecisionItem, Kind, Letter, Request
from purposes.register import purposes_for
from records import gate
from records.models import Record, Restriction, ThirdPartyProvision
from records.services import ProvisionRefused, provision_register
from records.tests.factories import MemberFactory, RecordFactory
from tests.pdf import pdf_words

from .factories import RequestFactory

pytestmark = pytest.mark.django_db
State = Request.State
Case, Ground = DecisionItem.Case, DecisionItem.Ground
MEASURE = (
    "当該データを保健事業の対象者抽出から除外し、閲覧できる職員を個人情報取扱責任者に限ります。"
)


@pytest.fixture
def member(register):
    member = MemberFactory()
    RecordFactory(member=member, category=register["health-checks"], title="特定健診2024")
    RecordFactory(member=member, category=register["health-checks"], title="特定健診2025")
    return member


def filed(member, *kinds, grounds="健診結果を保健事業に使う必要はもうないはずです") -> Request:
    return RequestFactory(member=member, state=State.REVIEW, kinds=list(kinds), grounds=grounds)


def decide(request, officer, *items) -> Request:
    with gate.ledger():
        services.request_decide(request=request, items=list(items), reasons="", by=officer)
    request.refresh_from_db()
    return request


def carry_out(request, officer) -> Request:
    with gate.ledger():
        services.request_carry_out(request=request, by=officer)
    request.refresh_from_db()
    return request


def letter(request) -> str:
    return pdf_words(request.letters.get(kind=Letter.Kind.DECISION).file.read())


def shown_to(user, member, *, purpose: str) -> list[str]:
    """The titles of `member`'s records that `user`'s screen shows for `purpose` today."""
    with gate.ledger():
        access = gate.open_access(user=user, surface=gate.Surface.ADMIN, purpose=purpose)
        return sorted(record.title for record in gate.records(access).filter(member=member))


def test_art35_5_grants_erasure_when_no_longer_needed(member, officer, register):
    # Of fiscal year 2019: past its five years under 基準第10条 (kept to 31 March 2025).
    gone = RecordFactory(
        member=member,
        category=register["health-checks"],
        date=datetime.date(2019, 6, 1),
        title="特定健診2019",
    )
    request = decide(
        filed(member, Kind.ERASURE),
        officer,
        {
            "kind": Kind.ERASURE,
            "granted": True,
            "case": Case.NO_LONGER_NEEDED,
            "record_id": gone.pk,
        },
    )
    request = carry_out(request, officer)

    assert not Record.objects.filter(pk=gone.pk).exists()
    assert member.records.count() == 2
    text = letter(request)
    assert f"消去記録ID{gone.pk}請求のとおり実施します。" in text
    assert "請求の事由（法第35条第5項）：利用する必要がなくなった" in text


def test_art35_1_an_erasure_is_granted_only_on_a_case_of_paragraph_1_or_5(member, officer):
    request = filed(member, Kind.ERASURE)
    with pytest.raises(ValidationError) as refused:
        decide(request, officer, {"kind": Kind.ERASURE, "granted": True, "category": None})
    assert "認めるときは、請求の事由を選んでください（法第35条）。" in refused.value.messages
    with pytest.raises(ValidationError) as refused:
        decide(
            request,
            officer,
            {"kind": Kind.ERASURE, "granted": True, "case": Case.UNLAWFUL_PROVISION},
        )
    assert (
        "「同意のない第三者提供（法第27条第1項・第28条）」は消去の請求の事由になりません（法第35条）。"
        in refused.value.messages
    )
    request.refresh_from_db()
    assert request.state == State.REVIEW and not request.items.exists()


def test_art35_1_suspension_limited_to_one_purpose_restricts_only_that_purpose(
    member, officer, handler_kenshin, register
):
    checks = register["health-checks"]
    analysis, other = purposes_for(category_ids=[checks.pk], on=timezone.localdate())[:2]
    assert shown_to(handler_kenshin, member, purpose=analysis.code) == [
        "特定健診2024",
        "特定健診2025",
    ]

    request = decide(
        filed(member, Kind.SUSPENSION),
        officer,
        {
            "kind": Kind.SUSPENSION,
            "granted": True,
            "case": Case.OUT_OF_PURPOSE,
            "category": checks,
            "purpose": analysis,
        },
    )
    request = carry_out(request, officer)

    restriction = Restriction.objects.get(member=member)
    assert (restriction.kind, restriction.category, restriction.purpose) == (
        Restriction.Kind.SUSPEND_USE,
        checks,
        analysis,
    )
    # The handler's screen: nothing for the suspended purpose, everything for another.
    assert shown_to(handler_kenshin, member, purpose=analysis.code) == []
    assert shown_to(handler_kenshin, member, purpose=other.code) == ["特定健診2024", "特定健診2025"]
    text = letter(request)
    assert (
        f"利用停止健康診査に関する情報（利用目的：{analysis.name}）請求のとおり実施します。" in text
    )
    assert "請求の事由（法第35条第1項）：目的外利用（法第18条）" in text


def test_art35_3_a_third_party_stop_granted_on_an_unlawful_provision_stops_the_next_one(
    member, officer, register
):
    checks = register["health-checks"]
    request = decide(
        filed(member, Kind.THIRD_PARTY_STOP),
        officer,
        {"kind": Kind.THIRD_PARTY_STOP, "granted": True, "case": Case.UNLAWFUL_PROVISION},
    )
    carry_out(request, officer)

    with pytest.raises(ProvisionRefused, match="第三者提供の停止を受けている"):
        provision_register(
            member=member,
            category=checks,
            recipient="株式会社健康データ",
            provided_on=timezone.localdate(),
            items=["健診結果"],
            legal_basis=ThirdPartyProvision.LegalBasis.CONSENT,
            by=officer,
        )
    assert "請求の事由（法第35条第3項）：同意のない第三者提供（法第27条第1項・第28条）" in letter(
        request
    )


def test_art35_3_a_third_party_stop_is_not_granted_on_a_case_of_paragraph_1(member, officer):
    with pytest.raises(ValidationError, match="第三者提供の停止の請求の事由になりません"):
        decide(
            filed(member, Kind.THIRD_PARTY_STOP),
            officer,
            {"kind": Kind.THIRD_PARTY_STOP, "granted": True, "case": Case.OUT_OF_PURPOSE},
        )


def test_art35_3_a_third_party_stop_is_never_limited_to_a_purpose(member, officer, register):
    purpose = purposes_for(category_ids=[register["health-checks"].pk], on=timezone.localdate())[0]
    with pytest.raises(ValidationError, match="利用目的を限れるのは利用停止だけです"):
        decide(
            filed(member, Kind.THIRD_PARTY_STOP),
            officer,
            {
                "kind": Kind.THIRD_PARTY_STOP,
                "granted": True,
                "case": Case.LEAK,
                "purpose": purpose,
            },
        )


def test_art35_2_proviso_refusal_requires_an_alternative_measure_written_in_the_letter(
    member, officer
):
    request = filed(member, Kind.SUSPENSION)
    item = {
        "kind": Kind.SUSPENSION,
        "granted": False,
        "case": Case.RIGHTS_AT_RISK,
        "ground": Ground.DIFFICULT,
        "reason": "保健事業の基幹システムから一人分だけ除くには改修に多額の費用を要するため。",
    }
    with pytest.raises(ValidationError) as refused:
        decide(request, officer, item)
    assert any("代わりにとる措置を書いてください" in m for m in refused.value.messages)

    request = decide(request, officer, {**item, "alternative_measure": MEASURE})

    text = letter(request)
    assert "利用停止実施しません。" in text
    assert "請求の事由（法第35条第5項）：本人の権利又は正当な利益が害されるおそれ" in text
    assert (
        "根拠：多額の費用を要する場合その他の困難な場合"
        "（法第35条第2項ただし書・第4項ただし書・第6項ただし書）" in text
    )
    assert (
        "理由：保健事業の基幹システムから一人分だけ除くには改修に多額の費用を要するため。" in text
    )
    assert "代替措置：" + MEASURE in text
    # The trail says that a measure was taken on that item, never what it is.
    moved = Event.objects.filter(action=Action.DISCLOSURE_REQUEST_MOVED).last()
    assert moved.details["alternative_measures"] == [request.items.get().pk]
    assert "除外" not in str(Event.objects.values_list("details", flat=True)[::1])


def test_art35_2_the_proviso_applies_only_where_the_request_has_a_case(member, officer):
    with pytest.raises(ValidationError, match="ただし書によるのは請求に理由があるときです"):
        decide(
            filed(member, Kind.ERASURE),
            officer,
            {
                "kind": Kind.ERASURE,
                "granted": False,
                "ground": Ground.DIFFICULT,
                "reason": "費用が大きいため",
                "alternative_measure": MEASURE,
            },
        )


def test_art35_an_alternative_measure_belongs_to_the_proviso_only(member, officer):
    with pytest.raises(ValidationError, match="代替措置は「多額の費用を要する場合"):
        decide(
            filed(member, Kind.SUSPENSION),
            officer,
            {
                "kind": Kind.SUSPENSION,
                "granted": False,
                "ground": Ground.NO_REASON,
                "reason": "目的の範囲内の利用です",
                "alternative_measure": MEASURE,
            },
        )


def test_art35_a_record_the_law_keeps_is_refused_naming_the_law_in_the_letter(
    member, officer, register
):
    receipt = RecordFactory(member=member, category=register["receipts"], title="外来（内科）")
    request = filed(member, Kind.ERASURE)
    item = {
        "kind": Kind.ERASURE,
        "granted": False,
        "case": Case.NO_LONGER_NEEDED,
        "record_id": receipt.pk,
        "ground": Ground.RETENTION,
        "reason": "過誤請求の返還を求める証拠として令和13年3月31日まで保存します。",
    }
    with pytest.raises(ValidationError, match="保存を義務付けている法令と条項を書くか"):
        decide(request, officer, item)

    request = decide(
        request, officer, {**item, "retention_law": register["receipts"].retention_basis}
    )

    assert request.outcome == Request.Outcome.NONE
    text = letter(request)
    assert (
        f"消去記録ID{receipt.pk}実施しません。請求の事由（法第35条第5項）：利用する必要がなくなった"
        "根拠：法令により保存が義務付けられている（健康保険法第58条・民法第166条第1項）" in text
    )
    # Nothing to carry out: the receipt stays.
    assert Record.objects.filter(pk=receipt.pk).exists()


@pytest.mark.parametrize(
    "kind,ground",
    [
        (Kind.SUSPENSION, Ground.HARM),  # a disclosure ground (Art. 33(2))
        (Kind.THIRD_PARTY_STOP, Ground.ACCURATE),  # a correction ground (Art. 34(2))
        (Kind.SUSPENSION, Ground.RETENTION),  # a duty to keep is no duty to use
        (Kind.DISCLOSURE, Ground.NO_REASON),
        (Kind.CORRECTION, Ground.DIFFICULT),
    ],
)
def test_art35_a_ground_of_another_kind_is_refused_in_japanese(member, officer, kind, ground):
    with pytest.raises(ValidationError) as refused:
        decide(
            filed(member, kind),
            officer,
            {"kind": kind, "granted": False, "ground": ground, "reason": "理由"},
        )
    label = Kind(kind).label
    assert f"の請求を認めない根拠になりません。{label}の根拠から選んでください。" in " ".join(
        refused.value.messages
    )


def test_art36_the_letter_lists_every_item_with_its_outcome_ground_and_reason(
    member, officer, register
):
    checks = register["health-checks"]
    request = decide(
        filed(member, Kind.SUSPENSION, Kind.ERASURE, Kind.THIRD_PARTY_STOP),
        officer,
        {"kind": Kind.SUSPENSION, "granted": True, "case": Case.IMPROPER_USE, "category": checks},
        {
            "kind": Kind.ERASURE,
            "granted": False,
            "ground": Ground.NO_REASON,
            "reason": "健診結果は特定健診の実施に必要です。",
        },
        {
            "kind": Kind.THIRD_PARTY_STOP,
            "granted": False,
            "case": Case.LEAK,
            "ground": Ground.DIFFICULT,
            "reason": "提供先の共同利用システムから一人分を除けないため。",
            "alternative_measure": MEASURE,
        },
    )

    assert request.outcome == Request.Outcome.PARTIAL
    text = letter(request)
    suspension = text.index("利用停止健康診査に関する情報請求のとおり実施します。")
    erasure = text.index("消去実施しません。根拠：請求に理由がない")
    stop = text.index("第三者提供の停止実施しません。請求の事由（法第35条第5項）：漏えい等")
    assert suspension < erasure < stop
    assert "請求の事由（法第35条第1項）：不適正利用（法第19条）" in text
    assert (
        "（法第35条第1項・第3項・第5項の要件に該当しない）理由：健診結果は特定健診の実施に必要です。"
        in text
    )
    assert "代替措置：" + MEASURE in text


def test_art36_the_letter_names_each_case_without_two_brackets_in_a_row(member, officer):
    """A case whose label cites its article (不適正利用（法第19条）) read 「（法第19条）（法第35条
    第1項）」 in the letter; the paragraph now leads, for every case of every kind."""
    kinds = (Kind.SUSPENSION, Kind.THIRD_PARTY_STOP)
    request = decide(
        filed(member, *kinds),
        officer,
        *(
            {
                "kind": kind,
                "granted": False,
                "case": case,
                "ground": Ground.NO_REASON,
                "reason": "請求の事由に当たる事実が認められません。",
            }
            for kind in kinds
            for case in Case
            if case in CASES[kind]
        ),
    )

    text = letter(request)
    assert "）（" not in text
    assert "請求の事由（法第35条第1項）：不適正利用（法第19条）" in text
    assert "請求の事由（法第35条第3項）：同意のない第三者提供（法第27条第1項・第28条）" in text
    assert "請求の事由（法第35条第5項）：漏えい等（法第26条第1項本文）が生じた" in text


def test_art35_an_erasure_of_a_record_the_law_keeps_is_refused_before_the_letter_promises_it(
    member, officer, register
):
    receipt = RecordFactory(member=member, category=register["receipts"], title="外来（内科）")
    request = filed(member, Kind.ERASURE)
    with pytest.raises(ValidationError) as refused:
        decide(
            request,
            officer,
            {
                "kind": Kind.ERASURE,
                "granted": True,
                "case": Case.NO_LONGER_NEEDED,
                "category": register["receipts"],
            },
        )
    (message,) = refused.value.messages
    assert (
        f"記録ID {receipt.pk}" in message and "健康保険法第58条・民法第166条第1項により" in message
    )
    assert "根拠「法令により保存が義務付けられている」で認めない決定にしてください。" in message
    request.refresh_from_db()
    assert request.state == State.REVIEW and not request.letters.filter(kind=Letter.Kind.DECISION)
    # Erasing a record the law does not keep is decided as asked.
    RecordFactory(member=member, category=register["bank-accounts"], title="給付金振込口座")
    others = decide(
        request,
        officer,
        {
            "kind": Kind.ERASURE,
            "granted": True,
            "case": Case.LEAK,
            "category": register["bank-accounts"],
        },
    )
    assert others.state == State.DECIDED


KIJUN = "特定健康診査及び特定保健指導の実施に関する基準第10条"


def test_art35_an_erasure_of_specific_health_check_data_is_refused_under_kijun_article_10(
    member, officer, register
):
    """The register's retention schedule is the one source: a 特定健診 record of this fiscal
    year is kept under 基準第10条 (five years from the next fiscal year), so its 消去 is
    refused at the decision naming that article, and the letter cites it."""
    checks = register["health-checks"]
    assert checks.retention_basis == KIJUN
    # Dated 1 April 2026 (fiscal 2026); titles are sealed, so found as a person reads them.
    record = next(r for r in member.records.all() if r.title == "特定健診2025")
    request = filed(member, Kind.ERASURE)
    asked = {"kind": Kind.ERASURE, "case": Case.NO_LONGER_NEEDED, "record_id": record.pk}
    with pytest.raises(ValidationError) as refused:
        decide(request, officer, {**asked, "granted": True})
    (message,) = refused.value.messages
    assert f"記録ID {record.pk}、{KIJUN}により令和14年3月31日まで保存" in message

    request = decide(
        request,
        officer,
        {
            **asked,
            "granted": False,
            "ground": Ground.RETENTION,
            "retention_law": checks.retention_basis,
            "reason": "特定健康診査の記録は、翌年度から5年間保存することとされています。",
        },
    )
    text = letter(request)
    assert (
        f"消去記録ID{record.pk}実施しません。請求の事由（法第35条第5項）：利用する必要がなくなった"
        f"根拠：法令により保存が義務付けられている（{KIJUN}）" in text
    )
    assert Record.objects.filter(pk=record.pk).exists()


def test_art35_kijun_article_10_keeps_a_former_members_check_only_to_the_next_fiscal_year_end(
    member, officer, register
):
    """基準第10条: 「…他の保険者の加入者となった日の属する年度の翌年度の末日までの期間」の
    いずれか短い期間. A member who left in fiscal 2023 is past it: the 消去 goes ahead."""
    member.lost_on = datetime.date(2023, 9, 30)
    member.save()
    record = next(r for r in member.records.all() if r.title == "特定健診2024")
    request = decide(
        filed(member, Kind.ERASURE),
        officer,
        {
            "kind": Kind.ERASURE,
            "granted": True,
            "case": Case.NO_LONGER_NEEDED,
            "record_id": record.pk,
        },
    )
    carry_out(request, officer)
    assert not Record.objects.filter(pk=record.pk).exists()
