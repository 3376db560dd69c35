"""照合 (APPI Art. 33(1), Art. 37(3)): the filed 氏名 and フリガナ are compared with the
register's after folding width, kana and spaces, and a difference stops the match until the
officer confirms the identity document; an insured person filing as 本人 about a dependent
of full age is refused, and told what is needed instead."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Event
from audit.vocabulary import Action
from disclosure import services
from disclosure.identity import age_on
from disclosure.models import IdentityDocument, Request
from records import gate
from records.models import Member
from records.tests.factories import DependentFactory, MemberFactory, RecordFactory

from .factories import RequestFactory
from .test_admin_moves import move

pytestmark = pytest.mark.django_db
State = Request.State
BIRTH = datetime.date(1980, 1, 2)


@pytest.fixture
def hanako(register):
    member = MemberFactory(
        symbol="1001",
        number="1",
        branch="00",
        name="山田 華子",
        name_kana="ヤマダ ハナコ",
        birth_date=BIRTH,
    )
    RecordFactory(member=member, category=register["health-checks"], title="特定健診")
    return member


def at_identity_check(**filed) -> Request:
    return RequestFactory(state=State.IDENTITY_CHECK, **filed)


def test_art33_1_identity_name_mismatch_blocks_matching_until_confirmed(hanako, officer, sign_in):
    # The register says 山田 華子; the request says 山田花子 (another 花): not the same name.
    request = at_identity_check(name="山田花子", name_kana="ヤマダハナコ")
    client = sign_in(officer)

    page = client.post(
        f"/admin/disclosure/request/{request.pk}/move/{State.REVIEW}/", {"_state": request.state}
    )
    text = page.content.decode()
    # Next to both values, in Japanese, with the box the officer must tick.
    assert "山田花子" in text and "山田 華子" in text
    assert "一致しません" in text
    assert "本人確認書類で本人であることを確かめました" in text

    response, said = move(client, request, State.REVIEW, {"member": hanako.pk})
    assert request.state == State.IDENTITY_CHECK
    assert "請求書の氏名・フリガナが加入者の登録と一致しません" in response.content.decode()

    response, said = move(
        client,
        request,
        State.REVIEW,
        {"member": hanako.pk, "identity_document_checked": "on"},
    )
    assert response.status_code == 302, said
    assert (request.state, request.member) == (State.REVIEW, hanako)
    assert (request.name_differences, request.identity_document_checked) == (["name"], True)
    event = Event.objects.filter(
        action=Action.DISCLOSURE_REQUEST_MOVED, target_id=request.pk
    ).last()
    assert event.details["name_differences"] == ["name"]
    assert event.details["identity_document_checked"] is True
    # No name in the trail: field names only.
    assert "花子" not in str(event.details) and "華子" not in str(event.details)
    case_file = client.get(f"/admin/disclosure/request/{request.pk}/change/").content.decode()
    assert "氏名が登録と相違（本人確認書類で確認済み）" in case_file


def test_art33_1_the_service_refuses_an_unconfirmed_mismatch(hanako, officer):
    request = at_identity_check(name="山田華子", name_kana="ヤマダハナエ")

    with gate.ledger(), pytest.raises(ValidationError, match="一致しません"):
        services.request_match(request=request, member=hanako, by=officer)
    request.refresh_from_db()
    assert request.state == State.IDENTITY_CHECK and request.member is None

    with gate.ledger():
        services.request_match(
            request=request, member=hanako, by=officer, identity_document_checked=True
        )
    assert request.name_differences == ["name_kana"]


@pytest.mark.parametrize(
    ("name", "kana"),
    [
        ("山田　華子", "やまだ　はなこ"),  # full-width space, hiragana
        ("山田華子", "ﾔﾏﾀﾞ ﾊﾅｺ"),  # half-width katakana
        (" 山田 華子 ", "ヤマダハナコ"),
    ],
)
def test_art33_1_a_name_written_another_way_is_the_same_name(hanako, officer, name, kana):
    request = at_identity_check(name=name, name_kana=kana)

    with gate.ledger():
        services.request_match(request=request, member=hanako, by=officer)

    assert request.state == State.REVIEW
    assert (request.name_differences, request.identity_document_checked) == ([], False)


@pytest.fixture
def household(register):
    """山田太郎, the insured person, and his daughter 山田花子, a dependent on his card."""
    insured = MemberFactory(
        symbol="1001", number="7", branch="00", name="山田 太郎", name_kana="ヤマダ タロウ"
    )
    dependent = DependentFactory(
        insured=insured,
        branch="01",
        name="山田 花子",
        name_kana="ヤマダ ハナコ",
        birth_date=datetime.date(2000, 5, 1),
    )
    RecordFactory(member=dependent, category=register["receipts"], title="外来")
    return insured, dependent


def about(dependent: Member, **filed) -> Request:
    return at_identity_check(
        member_symbol=dependent.symbol,
        member_number=dependent.number,
        member_branch=dependent.branch,
        birth_date=dependent.birth_date,
        **filed,
    )


def test_art37_adult_dependent_needs_own_request_or_agency(household, officer, sign_in):
    insured, daughter = household
    # The father files as 本人 with his own name, about his 25-year-old daughter's data.
    request = about(daughter, name="山田太郎", name_kana="ヤマダタロウ")
    client = sign_in(officer)

    page = client.post(
        f"/admin/disclosure/request/{request.pk}/move/{State.REVIEW}/", {"_state": request.state}
    )
    text = page.content.decode()
    assert "18歳以上の被扶養者について本人として請求しています" in text
    assert "被扶養者本人からの請求、または被扶養者の委任状" in text

    # Ticking the identity box does not help: he is not the person the data is about.
    response, _said = move(
        client,
        request,
        State.REVIEW,
        {"member": daughter.pk, "identity_document_checked": "on"},
    )
    assert request.state == State.IDENTITY_CHECK and request.member is None
    assert "本人として照合することはできません" in response.content.decode()
    with gate.ledger(), pytest.raises(ValidationError, match="被扶養者の委任状"):
        services.request_match(
            request=request, member=daughter, by=officer, identity_document_checked=True
        )
    # The comparison with the insured person is audited, by field names and ids only.
    matched = Event.objects.filter(action=Action.RECORDS_ACCESS_MATCHED, target_id=request.pk)
    assert matched.exists()
    assert matched.last().details == {
        "fields": ["name", "name_kana"],
        "matched": True,
        "members": [insured.pk],
    }

    # Her own request is matched.
    own = about(daughter, name="山田花子", name_kana="やまだはなこ")
    with gate.ledger():
        services.request_match(request=own, member=daughter, by=officer)
    assert own.state == State.REVIEW

    # So is his, as her agent with her 委任状.
    agency = about(
        daughter,
        name="山田花子",
        name_kana="ヤマダハナコ",
        filer=Request.Filer.APPOINTED_AGENT,
        agent_name="山田太郎",
        agent_name_kana="ヤマダタロウ",
        agent_relationship="父",
    )
    IdentityDocument.objects.create(
        request=agency,
        role=IdentityDocument.Role.AUTHORITY,
        file="disclosure/documents/proxy.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    with gate.ledger():
        services.request_match(request=agency, member=daughter, by=officer)
    assert agency.state == State.REVIEW


def test_art37_a_minor_dependent_is_asked_for_by_the_legal_agent(household, officer):
    _insured, daughter = household
    daughter.birth_date = datetime.date(timezone.localdate().year - 10, 1, 1)
    daughter.save()
    request = about(daughter, name="山田太郎", name_kana="ヤマダタロウ")

    with gate.ledger(), pytest.raises(ValidationError, match="法定代理人としての請求"):
        services.request_match(request=request, member=daughter, by=officer)


def test_art37_full_age_is_reached_on_the_eighteenth_birthday():
    assert age_on(datetime.date(2008, 4, 2), datetime.date(2026, 4, 1)) == 17
    assert age_on(datetime.date(2008, 4, 2), datetime.date(2026, 4, 2)) == 18
    assert age_on(datetime.date(2008, 2, 29), datetime.date(2026, 2, 28)) == 17
    assert age_on(datetime.date(2008, 2, 29), datetime.date(2026, 3, 1)) == 18
