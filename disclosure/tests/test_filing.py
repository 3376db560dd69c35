"""The public form: normalisation, errors that keep what was typed, confirmation, receipt."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import Event
from audit.vocabulary import Action
from core.wareki import format_wareki
from disclosure.models import IdentityDocument, Kind, Letter, Request

pytestmark = pytest.mark.django_db

FULL_WIDTH = {
    "filer": "self",
    "member_symbol": "１００１",
    "member_number": "２３",
    "member_branch": "０１",
    "name": "山田　花子",
    "name_kana": "やまだ　はなこ",
    "birth_date": "昭和５５年１月２日",
    "postal_code": "１００－０００１",
    "address": "東京都千代田区千代田１－１",
    "phone": "０３－１２３４－５６７８",
    "email": "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ",
    "kinds": ["disclosure", "correction"],
    "method": "download",
    "correction_item_1": "住所",
    "correction_current_1": "東京都港区",
    "correction_requested_1": "東京都千代田区",
}


def draft_of(response) -> str:
    return re.search(r'name="draft" value="([^"]+)"', response.content.decode()).group(1)


def test_it_normalises_full_width_input_and_files_after_confirmation(client, jpeg, run_worker):
    response = client.post("/requests/new/", {**FULL_WIDTH, "identity_document": jpeg()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "入力内容の確認" in page
    assert "ヤマダ ハナコ" in page and "昭和55年1月2日" in page
    assert Request.objects.count() == 0

    response = client.post("/requests/confirm/", {"draft": draft_of(response), "send": "1"})
    run_worker()
    assert response.status_code == 302 and response.url == "/requests/done/"

    filed = Request.objects.get()
    assert (filed.member_symbol, filed.member_number, filed.member_branch) == ("1001", "23", "01")
    assert filed.name_kana == "ヤマダ ハナコ"
    assert filed.birth_date == datetime.date(1980, 1, 2)
    assert filed.email == "hanako@example.jp"
    assert filed.kinds == [Kind.DISCLOSURE, Kind.CORRECTION]
    assert filed.corrections == [
        {"item": "住所", "current": "東京都港区", "requested": "東京都千代田区"}
    ]
    assert filed.channel == Request.Channel.WEB and filed.state == Request.State.RECEIVED
    assert filed.documents.get().role == IdentityDocument.Role.IDENTITY
    assert filed.letters.get().kind == Letter.Kind.ACKNOWLEDGEMENT
    event = Event.objects.get(action=Action.DISCLOSURE_REQUEST_FILED, target_id=str(filed.pk))
    assert (event.actor_kind, event.actor_id) == ("public", None)

    done = client.get("/requests/done/").content.decode()
    assert filed.receipt_number in done
    token = re.search(r"#t=([\w-]+)", done).group(1)
    assert len(mail.outbox) == 1
    assert f"/requests/status/{filed.receipt_number}/#t={token}" in mail.outbox[0].body
    assert filed.token_hash != token and len(filed.token_hash) == 64


def test_it_says_what_to_fix_and_keeps_what_was_typed(client, jpeg):
    data = {**FULL_WIDTH, "member_number": "２３あ", "birth_date": "昭和５５年", "method": ""}
    response = client.post("/requests/new/", {**data, "identity_document": jpeg()})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_member_number"' in page and 'href="#id_birth_date"' in page
    assert "開示の方法を選んでください" in page
    assert 'value="２３あ"' in page and 'value="昭和５５年"' in page
    assert 'aria-invalid="true"' in page
    assert Request.objects.count() == 0


@pytest.mark.parametrize(
    ("birth_date", "phone", "born"),
    [
        ("S55.1.2", "03(1234)5678", datetime.date(1980, 1, 2)),
        ("Ｓ５５．１．２", "（０３）１２３４－５６７８", datetime.date(1980, 1, 2)),
        ("H1.1.8", "(03)1234-5678", datetime.date(1989, 1, 8)),
        ("R2.3.4", "03-1234-5678", datetime.date(2020, 3, 4)),
    ],
)
def test_it_takes_era_abbreviations_and_bracketed_phone_numbers(
    client, jpeg, birth_date, phone, born
):
    data = {**FULL_WIDTH, "birth_date": birth_date, "phone": phone}
    response = client.post("/requests/new/", {**data, "identity_document": jpeg()})
    assert format_wareki(born) in response.content.decode()  # the confirmation, in 和暦
    client.post("/requests/confirm/", {"draft": draft_of(response), "send": "1"})
    filed = Request.objects.get()
    assert (filed.birth_date, filed.phone) == (born, "03-1234-5678")


@pytest.mark.parametrize("typed", ["1985年6月", "S60.13.1", "H31.5.1", "６月２０日"])
def test_a_malformed_birth_date_says_the_form_to_use(client, jpeg, typed):
    data = {**FULL_WIDTH, "birth_date": typed}
    page = client.post("/requests/new/", {**data, "identity_document": jpeg()}).content.decode()
    assert "生年月日は 1985-06-20 または 昭和60年6月20日" in page
    assert "一致しません" not in page
    assert Request.objects.count() == 0


def test_the_error_summary_lists_the_mistakes_in_the_order_of_the_page(client):
    no_rows = {k: v for k, v in FULL_WIDTH.items() if not k.startswith("correction_")}
    response = client.post("/requests/new/", {**no_rows, "name": ""})  # and no document

    summary = response.content.decode().split('id="error-summary"')[1].split("</ul>")[0]
    links = re.findall(r'href="#id_(\w+)"', summary)
    assert links == ["name", "correction_item_1", "identity_document"]


def test_it_keeps_a_checked_upload_through_an_error_on_the_page(client, jpeg):
    response = client.post(
        "/requests/new/", {**FULL_WIDTH, "name": "", "identity_document": jpeg()}
    )
    assert "提出済みです" in response.content.decode()
    uploads = re.search(r'name="uploads" value="([^"]+)"', response.content.decode()).group(1)
    response = client.post("/requests/new/", {**FULL_WIDTH, "uploads": uploads})
    assert "入力内容の確認" in response.content.decode()
    client.post("/requests/confirm/", {"draft": draft_of(response), "send": "1"})
    assert Request.objects.get().documents.count() == 1


def test_it_refuses_a_file_that_is_not_an_image_or_a_pdf(client):
    fake = SimpleUploadedFile("licence.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    response = client.post("/requests/new/", {**FULL_WIDTH, "identity_document": fake})
    assert "PDF のファイルを選んでください" in response.content.decode()
    assert IdentityDocument.objects.count() == 0


def test_it_asks_an_agent_for_their_details_and_authority(client, jpeg):
    response = client.post(
        "/requests/new/", {**FULL_WIDTH, "filer": "appointed_agent", "identity_document": jpeg()}
    )
    page = response.content.decode()
    assert "代理人が請求するときは「代理人の氏名」を入力してください" in page
    assert "「代理権を証する書類」のファイルを選んでください" in page


def test_it_goes_back_to_the_form_with_the_values_from_confirmation(client, jpeg):
    response = client.post("/requests/new/", {**FULL_WIDTH, "identity_document": jpeg()})
    response = client.post("/requests/confirm/", {"draft": draft_of(response), "edit": "1"})
    page = response.content.decode()
    assert "入力内容を確認する" in page and 'value="山田　花子"' in page
    assert "提出済みです" in page
    assert Request.objects.count() == 0


def test_it_files_once_when_the_confirmation_is_sent_twice(client, jpeg, run_worker):
    response = client.post("/requests/new/", {**FULL_WIDTH, "identity_document": jpeg()})
    draft = draft_of(response)
    client.post("/requests/confirm/", {"draft": draft, "send": "1"})
    client.post("/requests/confirm/", {"draft": draft, "send": "1"})
    run_worker()
    assert Request.objects.count() == 1
    assert len(mail.outbox) == 1


def test_it_refuses_a_tampered_draft_without_filing(client):
    response = client.post("/requests/confirm/", {"draft": "forged:value", "send": "1"})
    assert response.status_code == 200
    assert "もう一度入力してください" in response.content.decode()
    assert Request.objects.count() == 0


def test_it_sets_the_due_date_and_the_fee_from_the_kinds(client, jpeg):
    from disclosure.models import KindPolicy

    KindPolicy.objects.create(kind=Kind.DISCLOSURE, deadline_days=14, fee_yen=300)
    response = client.post("/requests/new/", {**FULL_WIDTH, "identity_document": jpeg()})
    client.post("/requests/confirm/", {"draft": draft_of(response), "send": "1"})
    filed = Request.objects.get()
    assert filed.fee_yen == 300  # APPI Art. 38: the correction costs nothing
    assert filed.due_on == filed.received_at.astimezone().date() + datetime.timedelta(days=14)


def test_the_receipt_page_gives_the_due_date_and_the_next_step(client, jpeg):
    response = client.post("/requests/new/", {**FULL_WIDTH, "identity_document": jpeg()})
    client.post("/requests/confirm/", {"draft": draft_of(response), "send": "1"})
    filed = Request.objects.get()

    done = client.get("/requests/done/").content.decode()

    assert f'id="due-on">{format_wareki(filed.due_on)}<' in done
    assert "このあとの流れ" in done and "生年月日を入力して開示データを受け取れます" in done
    assert "印刷" in done


def test_mynumber_act_the_request_form_refuses_a_my_number_and_says_why(client, jpeg):
    # 番号法第20条: a request needs no 個人番号, and the desk does not take one.
    data = {
        **FULL_WIDTH,
        "correction_requested_1": "個人番号 123456789018 の住所",
        "identity_document": jpeg(),
    }

    response = client.post("/requests/new/", data)

    assert response.status_code == 200
    assert 'name="draft"' not in response.text
    assert "個人番号（マイナンバー）と思われる12桁の番号が含まれています" in response.text
    assert not Request.objects.exists()
