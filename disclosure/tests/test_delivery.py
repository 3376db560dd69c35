"""How a package of 要配慮個人情報 reaches the member (APPI Art. 33(1)-(2), Art. 23): besides the
download, 本人限定受取郵便 to the registered address, chosen where the request is carried out,
recorded on the request with its event, told by the status page (which then offers no
download) and by the completion letter."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from audit.vocabulary import Action
from core.wareki import format_wareki
from disclosure import services
from disclosure.copies import person_of
from disclosure.models import Kind, Letter, Request
from records import gate
from records.services import member_update
from safeguards.models import Approval
from safeguards.testing import second_officer_approves
from tests.pdf import pdf_text

from .factories import TOKEN
from .test_admin_moves import move
from .test_four_eyes import decided

pytestmark = pytest.mark.django_db
State = Request.State
DISCLOSE = [{"kind": Kind.DISCLOSURE, "granted": True}]


@pytest.fixture
def registered(member, superuser):
    """The erasure tests' member (a health check and a receipt: 要配慮), with an address."""
    return member_update(
        member=member, by=superuser, postal_code="１０００００１", address="東京都千代田区千代田1-1"
    )


def letter_text(request: Request, kind: str) -> str:
    letter = request.letters.get(kind=kind)
    return pdf_text(letter.file.open())


def status_page(client, request: Request) -> str:
    client.post(f"/requests/status/{request.receipt_number}/", {"token": TOKEN})
    return client.get(f"/requests/status/{request.receipt_number}/").content.decode()


def test_art33_2_sensitive_package_sent_by_restricted_post(
    registered, officer, sign_in, client, django_user_model
):
    request = decided(registered, officer, DISCLOSE)
    second_officer_approves(Approval.Kind.PACKAGE_RELEASE, request)
    staff = sign_in(officer)

    page = staff.post(
        f"/admin/disclosure/request/{request.pk}/move/{State.CARRIED_OUT}/",
        {"_state": request.state},
    ).content.decode()
    assert "本人限定受取郵便（登録住所あて）" in page
    assert "〒100-0001 東京都千代田区千代田1-1" in page

    response, said = move(
        staff,
        request,
        State.CARRIED_OUT,
        {
            "delivery": Request.Delivery.RESTRICTED_POST,
            "posted_on": "令和8年4月10日",
            "tracking_number": "１２３４－５６７８－９０１２",
        },
    )

    assert response.status_code == 302, said
    assert request.state == State.CARRIED_OUT
    assert request.delivery == Request.Delivery.RESTRICTED_POST
    assert (request.posted_on.isoformat(), request.tracking_number) == (
        "2026-04-10",
        "1234-5678-9012",
    )
    package = request.packages.get()
    event = Event.objects.get(action=Action.DISCLOSURE_PACKAGE_POSTED)
    assert event.target_id == str(package.pk) or event.target_id == package.pk
    assert event.details == {
        "request": request.pk,
        "method": "restricted_post",
        "day": "2026-04-10",
        "tracked": True,
    }
    # The completion letter says how it went.
    text = letter_text(request, Letter.Kind.COMPLETION)
    assert "本人限定受取郵便" in text
    assert format_wareki(request.posted_on) in text
    assert "1234-5678-9012" in text
    # The status page says so too, and offers no download.
    client.logout()
    status = status_page(client, request)
    assert "本人限定受取郵便で、ご登録の住所あてにお送りしました" in status
    assert "ダウンロードする" not in status
    download = client.post(
        f"/requests/status/{request.receipt_number}/download/",
        {"birth_date": registered.birth_date.isoformat()},
    )
    assert download.status_code == 404
    assert not Event.objects.filter(action=Action.DISCLOSURE_PACKAGE_DOWNLOADED).exists()


def test_art33_2_the_download_stays_the_default_and_the_letter_says_so(registered, officer, client):
    request = decided(registered, officer, DISCLOSE)
    second_officer_approves(Approval.Kind.PACKAGE_RELEASE, request)

    with gate.ledger():
        services.request_carry_out(request=request, by=officer)

    request.refresh_from_db()
    assert request.delivery == Request.Delivery.DOWNLOAD
    assert "ダウンロード" in letter_text(request, Letter.Kind.COMPLETION)
    assert "ダウンロードする" in status_page(client, request)
    assert not Event.objects.filter(action=Action.DISCLOSURE_PACKAGE_POSTED).exists()


@pytest.mark.parametrize(
    ("sent", "field", "words"),
    [
        ({"delivery": "restricted_post"}, "posted_on", "発送日を入力してください"),
        (
            {"delivery": "restricted_post", "posted_on": "4月31日"},
            "posted_on",
            "発送日",
        ),
        (
            {"delivery": "restricted_post", "posted_on": "2026-04-10", "tracking_number": "追跡"},
            "tracking_number",
            "追跡番号は 1234-5678-9012 のように数字で入力してください",
        ),
        (
            {"delivery": "restricted_post", "posted_on": "2026-04-10", "tracking_number": "1" * 21},
            "tracking_number",
            "20 文字以下",
        ),
        ({"delivery": "pigeon"}, "delivery", "正しく選択してください"),
    ],
    ids=["no-day", "not-a-date", "tracking-letters", "tracking-too-long", "unknown"],
)
def test_the_delivery_choice_refuses_bad_input(registered, officer, sign_in, sent, field, words):
    request = decided(registered, officer, DISCLOSE)
    second_officer_approves(Approval.Kind.PACKAGE_RELEASE, request)

    response, _said = move(sign_in(officer), request, State.CARRIED_OUT, sent)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert words in response.content.decode()
    assert request.state == State.DECIDED
    assert not request.packages.exists()


def test_restricted_post_needs_a_registered_address(member, officer, sign_in):
    request = decided(member, officer, DISCLOSE)
    second_officer_approves(Approval.Kind.PACKAGE_RELEASE, request)

    response, _said = move(
        sign_in(officer),
        request,
        State.CARRIED_OUT,
        {"delivery": "restricted_post", "posted_on": "2026-04-10"},
    )

    assert "（登録されていません）" in response.content.decode()
    assert "加入者の登録に住所がないため、本人限定受取郵便で送れません" in response.content.decode()
    assert request.state == State.DECIDED


def test_restricted_post_is_for_a_package_of_sensitive_data(registered, officer, register):
    request = decided(registered, officer, DISCLOSE)
    # Only the bank accounts asked for: no 要配慮個人情報 in the package.
    request.categories.set([register["bank-accounts"]])

    with (
        gate.ledger(),
        pytest.raises(ValidationError, match="要配慮個人情報を含む開示データに限ります"),
    ):
        services.request_carry_out(
            request=request,
            by=officer,
            delivery=Request.Delivery.RESTRICTED_POST,
            posted_on=registered.acquired_on,
        )
    request.refresh_from_db()
    assert request.state == State.DECIDED and request.delivery == ""


def test_art35_the_registered_address_typed_elsewhere_is_struck_out_on_erasure(registered):
    # Where staff typed it in a note, it is found however it was written (disclosure.copies).
    redacted, removed = person_of(registered, []).redact("送付先：東京都千代田区千代田１－１")

    assert "千代田区" not in redacted and removed == ["住所"]
