"""第三者提供記録 in an Art. 33 disclosure (APPI Art. 33(5)): the Art. 29 records by default,
each withheld by the officer on the decision page on a ground of Art. 33(2) with its reason;
a withheld one reaches the member as 「［不開示］」 with its ground, and the decision letter
lists it as refused, without its recipient."""

import datetime
import io
import json
import zipfile

import pytest

from disclosure import services
from disclosure.models import DecisionItem, Kind, Letter, Request
from records import gate
from records.models import ThirdPartyProvision
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.models import Approval
from safeguards.testing import second_officer_approves
from tests.pdf import pdf_words

from .factories import RequestFactory
from .test_admin_moves import move

pytestmark = pytest.mark.django_db
State = Request.State
Basis = ThirdPartyProvision.LegalBasis
CENTRE = "千代田区児童相談所"


@pytest.fixture
def child_case(register):
    """A 15-year-old dependent whose data went, with her own consent, to the 児童相談所 and to
    a health-check agency (both Art. 29 records), and to the police on a warrant (Art. 27(1)(i),
    no Art. 29 record); her mother, 法定代理人, asks for disclosure with the provision records."""
    child = MemberFactory(
        symbol="4004",
        number="12",
        branch="02",
        name="鈴木さくら",
        birth_date=datetime.date(2011, 5, 5),
    )
    RecordFactory(member=child, category=register["health-checks"], title="学生健診")

    def provided(recipient, basis, day):
        return ThirdPartyProvision.objects.create(
            member=child,
            category=register["health-checks"],
            recipient=recipient,
            provided_on=day,
            items=["氏名", "健診結果"],
            legal_basis=basis,
        )

    centre = provided(CENTRE, Basis.CONSENT, datetime.date(2026, 2, 3))
    agency = provided("東京都予防医学協会", Basis.CONSENT, datetime.date(2025, 7, 1))
    police = provided("千代田警察署", Basis.LAW, datetime.date(2026, 3, 1))
    request = RequestFactory(
        state=State.REVIEW,
        member=child,
        member_symbol=child.symbol,
        member_number=child.number,
        member_branch=child.branch,
        birth_date=child.birth_date,
        name=child.name,
        filer=Request.Filer.LEGAL_AGENT,
        agent_name="鈴木陽子",
        agent_name_kana="スズキヨウコ",
        agent_relationship="母",
        agent_address="東京都千代田区千代田2-2",
        agent_phone="03-2222-2222",
        include_provision_records=True,
    )
    return request, {"centre": centre, "agency": agency, "police": police}


def page_of(client, request) -> str:
    url = f"/admin/disclosure/request/{request.pk}/move/decided/"
    return client.post(url, {"_state": request.state}).content.decode()


def decision(provided, **rows) -> dict:
    """The decision page as sent: the disclosure granted, each offered provision disclosed
    unless `rows` gives its fields (by the fixture's name)."""
    data = {"reasons": "", "items-0-granted": "yes"}
    for name in ("centre", "agency"):
        fields = rows.get(name, {"granted": "yes"})
        data |= {f"provisions-{provided[name].pk}-{key}": value for key, value in fields.items()}
    return data


WITHHELD = {"granted": "no", "ground": "harm", "reason": "児童の心身に危害が及ぶおそれがあるため"}


def _carried_out(request, by):
    with gate.ledger():
        second_officer_approves(Approval.Kind.PACKAGE_RELEASE, request)  # 要配慮個人情報
        services.request_carry_out(request=request, by=by)
    request.refresh_from_db()
    return zipfile.ZipFile(io.BytesIO(request.packages.get().file.read()))


def test_art33_5_the_decision_page_offers_each_art29_record_and_no_other(
    sign_in, officer, child_case
):
    request, provided = child_case
    html = page_of(sign_in(officer), request)

    assert "第三者提供記録（法第33条第5項）" in html
    for offered in ("centre", "agency"):
        assert f'name="provisions-{provided[offered].pk}-granted"' in html
    assert CENTRE in html and "令和8年2月3日" in html
    assert "千代田警察署" not in html  # Art. 27(1)(i): no Art. 29 record
    # Only the grounds of Art. 33(2), which Art. 33(5) applies.
    section = html[html.index("第三者提供記録（法第33条第5項）") :]
    assert "法第33条第2項第1号" in section and "法第34条第2項" not in section


def test_art33_5_a_parent_as_legal_agent_is_not_told_the_child_guidance_centre_withheld(
    sign_in, officer, child_case
):
    request, provided = child_case
    data = decision(provided, centre=WITHHELD)
    _response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert request.state == State.DECIDED, said
    assert request.outcome == Request.Outcome.PARTIAL
    refused = request.items.get(granted=False)
    assert (refused.kind, refused.provision_id, refused.ground) == (
        Kind.DISCLOSURE,
        provided["centre"].pk,
        DecisionItem.Ground.HARM,
    )

    archive = _carried_out(request, officer)
    text = pdf_words(archive.read("disclosure.pdf"))
    assert "第三者提供記録" in text and "東京都予防医学協会" in text
    assert "［不開示］" in text and "不開示（本人又は第三者の生命、身体、財産" in text
    assert "児童相談所" not in text and "令和8年2月3日" not in text
    assert "千代田警察署" not in text
    rows = json.loads(archive.read("provisions.json"))
    assert [row["recipient"] for row in rows] == ["東京都予防医学協会", "［不開示］"]
    assert rows[1]["provided_on"] == "［不開示］" and rows[1]["redacted"].startswith("本人又は")
    assert CENTRE not in archive.read("provisions.csv").decode("utf-8-sig")

    letter = pdf_words(request.letters.get(kind=Letter.Kind.DECISION).file.read())
    assert "一部開示" in letter and f"第三者提供記録ID{provided['centre'].pk}" in letter
    assert "児童の心身に危害が及ぶおそれがあるため" in letter
    assert "児童相談所" not in letter
    assert "鈴木陽子様" in letter  # addressed to the 法定代理人


def test_art33_5_every_art29_record_is_disclosed_unless_withheld(sign_in, officer, child_case):
    request, provided = child_case
    data = decision(provided)
    _response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert request.outcome == Request.Outcome.FULL, said

    text = pdf_words(_carried_out(request, officer).read("disclosure.pdf"))
    assert CENTRE.replace(" ", "") in text and "東京都予防医学協会" in text
    assert "［不開示］" not in text


def test_art36_withholding_a_provision_needs_its_ground_and_reason_beside_it(
    sign_in, officer, child_case
):
    request, provided = child_case
    data = decision(provided, centre={"granted": "no"})
    response, _said = move(sign_in(officer), request, State.DECIDED, data)

    html = response.content.decode()
    assert response.status_code == 200 and request.state == State.REVIEW
    assert html.count("has-errors") == 1
    section = html[html.index("第三者提供記録（法第33条第5項）") :]
    assert (
        "開示しない根拠を選んでください。" in section
        and "開示しない理由を書いてください" in section
    )
    assert request.items.count() == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"granted": "maybe"},
        {"granted": ""},
        {"granted": "no", "ground": "accurate", "reason": "x"},  # not an Art. 33(2) ground
        {"granted": "no", "ground": "nonsense", "reason": "x"},
        {"granted": "no", "ground": "harm", "reason": "\x00"},
    ],
)
def test_art33_5_bad_input_on_a_provision_gets_a_message_never_a_500(
    bad, sign_in, officer, child_case
):
    request, provided = child_case
    data = decision(provided, centre=bad)
    response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert response.status_code == 200, said
    assert request.state == State.REVIEW and request.items.count() == 0
