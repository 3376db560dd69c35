"""The 遺族 開示依頼 (the MHLW notice, outside APPI) about a deceased member of whom no receipt
is held: the decision page says so and offers no APPI row, and the bereaved's own decision
letter answers that there is nothing to disclose, citing the notice and never the Act. The
paper form and the procedure page offer the bereaved route. Read back as the bereaved read
them: the PDFs and the page."""

import datetime

import pytest

from disclosure.models import DecisionItem, Kind, Letter, Request
from records import gate
from records.services import member_update
from records.tests.factories import MemberFactory, RecordFactory
from tests.pdf import pdf_words

from .test_admin_moves import move
from .test_bereaved import _bereaved, _letter

pytestmark = pytest.mark.django_db
State = Request.State


@pytest.fixture
def deceased_without_receipts(register, superuser):
    member = MemberFactory(
        symbol="4005", number="13", branch="00", birth_date=datetime.date(1948, 2, 3)
    )
    member_update(member=member, by=superuser, died_on=datetime.date(2026, 1, 20))
    RecordFactory(member=member, category=register["health-checks"], title="特定健診2025")
    member.refresh_from_db()
    return member


def test_mhlw_bereaved_with_no_receipts_held_is_told_so_in_the_notice_letters(
    sign_in, officer, deceased_without_receipts
):
    request = _bereaved(
        deceased_without_receipts, state=State.REVIEW, member=deceased_without_receipts
    )
    client = sign_in(officer)

    page = client.post(
        f"/admin/disclosure/request/{request.pk}/move/{State.DECIDED}/", {"_state": request.state}
    ).content.decode()
    assert "開示の対象となる診療報酬明細書等がありません" in page
    assert "法第33条" not in page and "items-0-granted" not in page

    with gate.ledger():
        _response, said = move(client, request, State.DECIDED, {"reasons": ""})
    assert request.state == State.DECIDED, said
    assert request.outcome == Request.Outcome.NONE
    item = request.items.get()
    assert (item.kind, item.granted, item.ground) == (
        Kind.DISCLOSURE,
        False,
        DecisionItem.Ground.NOT_HELD,
    )

    text = _letter(request, Letter.Kind.DECISION)
    assert "「診療報酬明細書等の被保険者等への開示について」（厚生労働省通知）に基づき" in text
    assert "開示しません。根拠：開示の対象となる診療報酬明細書等がない" in text
    assert "開示の対象となる診療報酬明細書等を保有していません。" in text
    for appi in ("保有個人データ", "法第", "個人情報保護委員会", "個人情報の保護に関する法律"):
        assert appi not in text, appi

    _response, said = move(client, request, State.CLOSED)
    assert request.state == State.CLOSED, said
    assert not request.packages.exists()


def test_mhlw_the_paper_form_offers_the_bereaved_route(client):
    response = client.get("/requests/forms/request.pdf")
    assert response.status_code == 200
    text = pdf_words(response.content)
    assert "□遺族（下の欄も記入）" in text
    assert "遺族からの開示依頼（亡くなった加入者の診療報酬明細書等）" in text
    assert "□配偶者□父母□子□その他（配偶者・子・父母に準ずる者）" in text
    assert "□医療機関に依頼者の氏名等を伝えることに同意する" in text
    assert "死亡の事実と続柄を証する書類（戸籍謄本など）" in text
    assert "「診療報酬明細書等の被保険者等への開示について」（厚生労働省通知）" in text


def test_mhlw_the_procedure_page_tells_the_bereaved_who_may_ask_and_how(client):
    page = client.get("/requests/").content.decode()
    section = page[page.index('id="bereaved"') :]
    assert "亡くなった加入者のレセプトの開示（遺族の方）" in section
    assert "「診療報酬明細書等の被保険者等への開示について」" in section
    assert "配偶者・子・父母（これらに準ずる方を含む）と、その代理人" in section
    assert "死亡の事実と続柄を証する書類" in section
    assert "「遺族として依頼する」" in section
