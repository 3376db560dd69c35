"""Requests about a protected member (the MHLW guidance for health insurance societies on
victims of DV, stalking and child abuse; the 支援措置 practice under the DV防止法): whoever
files on the member's behalf (a spouse, a parent as legal agent, the bereaved) is refused at
照合 with a letter that does not say why; the officer sees why; the member's own request goes
on as usual; no mail about the member goes to the one who filed on their behalf, nor their
第三者提供記録 (Art. 29) in a package (a protection set after 照合).
Read back as the requester reads them: the letter's PDF."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from audit.vocabulary import Action
from core.models import OutboxMail
from disclosure import letters, services
from disclosure.models import IdentityDocument, Kind, Letter, Request
from disclosure.moves import MatchForm
from records import gate
from records.models import Protection
from records.services import protection_set
from records.tests.factories import MemberFactory, RecordFactory
from tests.pdf import pdf_words

from .factories import RequestFactory
from .test_admin_moves import move
from .test_provision_records import CENTRE, _carried_out, child_case, decision  # noqa: F401

pytestmark = pytest.mark.django_db
State = Request.State
PERPETRATOR = "佐藤剛"


@pytest.fixture
def protected(register, privacy_officer):
    member = MemberFactory(
        symbol="6006",
        number="8",
        branch="00",
        name="佐藤美咲",
        name_kana="サトウ ミサキ",
        birth_date=datetime.date(1990, 5, 5),
    )
    RecordFactory(member=member, category=register["health-checks"], title="特定健診2025")
    protection_set(
        member=member,
        basis=Protection.Basis.DV,
        since=datetime.date(2026, 1, 1),
        persons=f"夫 {PERPETRATOR}",
        by=privacy_officer,
    )
    return member


def _request(member, *, filer=Request.Filer.SELF, **fields) -> Request:
    request = RequestFactory(
        member_symbol=member.symbol,
        member_number=member.number,
        member_branch=member.branch,
        birth_date=member.birth_date,
        name=member.name,
        name_kana=member.name_kana,
        filer=filer,
        state=State.IDENTITY_CHECK,
        email="filer@example.jp",
        **fields,
    )
    IdentityDocument.objects.create(
        request=request,
        role=IdentityDocument.Role.IDENTITY,
        content_type="image/jpeg",
        size=1,
        sha256="0" * 64,
    )
    if filer != Request.Filer.SELF:
        IdentityDocument.objects.create(
            request=request,
            role=IdentityDocument.Role.AUTHORITY,
            content_type="image/jpeg",
            size=1,
            sha256="1" * 64,
        )
    letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    return request


def _letter(request, kind) -> str:
    return pdf_words(request.letters.get(kind=kind).file.read())


@pytest.mark.parametrize("filer", [Request.Filer.LEGAL_AGENT, Request.Filer.APPOINTED_AGENT])
def test_dv_guidance_agent_request_for_protected_member_refused_with_neutral_letter(
    officer, protected, filer
):
    request = _request(protected, filer=filer, agent_name=PERPETRATOR)
    with gate.ledger():
        refused = services.request_match(request=request, member=protected, by=officer)
    assert refused.state == State.REJECTED
    assert refused.member is None  # not tied to the member: nothing of theirs is read for it
    letter = _letter(refused, Letter.Kind.REJECTION)
    assert f"{PERPETRATOR}様" in letter  # to the agent, who asked
    assert "ご請求には応じられません" in letter
    for telling in ("保護", "DV", "暴力", "ストーカー", "虐待", "支援措置", "加害", "夫"):
        assert telling not in letter
    # The identity documents are not kept once the request is answered.
    assert not refused.documents.exists()


def test_dv_guidance_officer_sees_why_at_matching(officer, protected):
    agent = _request(protected, filer=Request.Filer.LEGAL_AGENT, agent_name=PERPETRATOR)
    with gate.ledger():
        label = dict(MatchForm(obj=agent, user=officer).fields["member"].choices)[protected.pk]
    assert "保護措置あり：代理人・遺族からの請求のため" in label
    own = _request(protected)
    with gate.ledger():
        label = dict(MatchForm(obj=own, user=officer).fields["member"].choices)[protected.pk]
    assert "保護措置あり：本人からの請求です" in label


def test_dv_guidance_protected_members_own_request_goes_on(officer, protected):
    request = _request(protected)
    with gate.ledger():
        matched = services.request_match(request=request, member=protected, by=officer)
    assert (matched.state, matched.member) == (State.REVIEW, protected)


def test_dv_guidance_handler_leaves_the_refusal_to_the_officer(handler_kenshin, protected):
    request = _request(protected, filer=Request.Filer.LEGAL_AGENT, agent_name=PERPETRATOR)
    with pytest.raises(ValidationError) as refused, gate.ledger():
        services.request_match(request=request, member=protected, by=handler_kenshin)
    assert "個人情報取扱責任者が照合してください" in str(refused.value)
    request.refresh_from_db()
    assert request.state == State.IDENTITY_CHECK


def test_dv_guidance_no_mail_to_an_agent_about_a_member_protected_later(
    officer, register, privacy_officer
):
    member = MemberFactory(symbol="6006", number="9", branch="00")
    RecordFactory(member=member, category=register["health-checks"])
    request = _request(member, filer=Request.Filer.LEGAL_AGENT, agent_name=PERPETRATOR)
    with gate.ledger():
        services.request_match(request=request, member=member, by=officer)
    mailed = OutboxMail.objects.count()
    assert mailed  # the agent heard of the match: no protection then
    protection_set(
        member=member,
        basis=Protection.Basis.CHILD_ABUSE,
        since=datetime.date(2026, 1, 1),
        persons="父",
        by=privacy_officer,
    )
    request.refresh_from_db()
    services.request_extend(request=request, days=30, reason="調査に時間を要するため", by=officer)
    assert OutboxMail.objects.count() == mailed
    withheld = Event.objects.get(action=Action.DISCLOSURE_MAIL_WITHHELD)
    assert (withheld.target_type, withheld.target_id) == ("disclosure.request", str(request.pk))


def test_dv_guidance_bereaved_request_for_a_protected_member_refused(officer, protected, superuser):
    from records.services import member_update

    member_update(member=protected, by=superuser, died_on=datetime.date(2026, 2, 1))
    request = _request(
        protected,
        bereaved_relationship=Request.Bereaved.SPOUSE,
        bereaved_name=PERPETRATOR,
        bereaved_name_kana="サトウ ツヨシ",
        institution_consent=True,
    )
    IdentityDocument.objects.create(
        request=request,
        role=IdentityDocument.Role.BEREAVEMENT,
        content_type="image/jpeg",
        size=1,
        sha256="2" * 64,
    )
    with gate.ledger():
        refused = services.request_match(request=request, member=protected, by=officer)
    assert refused.state == State.REJECTED
    assert "ご請求には応じられません" in _letter(refused, Letter.Kind.REJECTION)


def test_dv_guidance_art29_records_of_a_protected_member_withheld_from_an_agents_package(
    sign_in,
    officer,
    child_case,  # noqa: F811
    privacy_officer,
):
    # The mother, 法定代理人, was matched before the child was protected from her.
    request, provided = child_case
    _response, said = move(sign_in(officer), request, State.DECIDED, decision(provided))
    assert request.outcome == Request.Outcome.FULL, said
    protection_set(
        member=request.member,
        basis=Protection.Basis.CHILD_ABUSE,
        since=datetime.date(2026, 1, 1),
        persons="母 鈴木陽子",
        by=privacy_officer,
    )

    archive = _carried_out(request, officer)

    rows = json.loads(archive.read("provisions.json"))
    assert len(rows) == 2  # the two Art. 29 records, each a mark and the article alone
    for row in rows:
        assert set(row.values()) == {"［不開示］", "法第33条第2項第1号"}
        assert row["redacted"] == "法第33条第2項第1号"
    text = pdf_words(archive.read("disclosure.pdf"))
    assert "第三者提供記録" in text and "不開示（法第33条第2項第1号）" in text
    for telling in (CENTRE, "東京都予防医学協会", "令和8年2月3日", "令和7年7月1日"):
        assert telling not in text
    spreadsheet = archive.read("provisions.csv").decode("utf-8-sig")
    assert CENTRE not in spreadsheet and "2026-02-03" not in spreadsheet
    for telling in ("保護", "虐待", "DV"):
        assert telling not in text + spreadsheet
    built = Event.objects.get(action=Action.DISCLOSURE_PACKAGE_BUILT)
    assert built.details["provisions"] == 2


def test_dv_guidance_the_protected_member_reads_their_own_provision_records(
    officer,
    child_case,  # noqa: F811
    privacy_officer,
):
    agents, _provided = child_case
    child = agents.member
    protection_set(
        member=child,
        basis=Protection.Basis.CHILD_ABUSE,
        since=datetime.date(2026, 1, 1),
        persons="母 鈴木陽子",
        by=privacy_officer,
    )
    own = RequestFactory(
        state=State.REVIEW,
        member=child,
        member_symbol=child.symbol,
        member_number=child.number,
        member_branch=child.branch,
        birth_date=child.birth_date,
        name=child.name,
        include_provision_records=True,
    )
    with gate.ledger():
        services.request_decide(
            request=own, items=[{"kind": Kind.DISCLOSURE, "granted": True}], reasons="", by=officer
        )

    rows = json.loads(_carried_out(own, officer).read("provisions.json"))

    assert {row["recipient"] for row in rows} == {CENTRE, "東京都予防医学協会"}
