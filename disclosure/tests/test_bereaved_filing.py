"""Filing a 遺族 開示依頼 (the MHLW notice): a first-step choice on the public form, the
relationship and the consent on paper at the counter; the new fields tried with bad input."""

import pytest

from disclosure.models import IdentityDocument, Kind, Request

from .test_filing import FULL_WIDTH, draft_of
from .test_form_steps import inputs

pytestmark = pytest.mark.django_db

BEREAVED = {
    **{key: value for key, value in FULL_WIDTH.items() if not key.startswith("correction")},
    "bereaved": "on",
    "kinds": [],
    "bereaved_relationship": "child",
    "bereaved_name": "鈴木　次郎",
    "bereaved_name_kana": "すずき　じろう",
    "institution_consent": "on",
    "method": "post",
}


def test_mhlw_bereaved_first_step_leads_to_a_page_for_the_deceaseds_receipts(client):
    page = client.get("/requests/new/", {"filer": "self", "bereaved": "on"}).content.decode()

    assert "手順 2／2" in page and "亡くなった加入者" in page
    assert inputs(page) == {
        "bereaved_relationship",
        "bereaved_name",
        "bereaved_name_kana",
        "member_symbol",
        "member_number",
        "member_branch",
        "name",
        "name_kana",
        "birth_date",
        "postal_code",
        "address",
        "phone",
        "email",
        "method",
        "institution_consent",
        "identity_document",
        "bereavement_document",
    }
    assert "医療機関に請求者の氏名等を伝えることに同意する" in page
    assert "請求者（遺族）の本人確認書類" in page
    chosen = page.split('id="chosen"')[1].split("</dl>")[0]
    assert "遺族への診療報酬明細書等の開示" in chosen


def test_mhlw_bereaved_files_on_the_public_form_with_proof_and_consent(client, jpeg, register):
    confirmation = client.post(
        "/requests/new/",
        {**BEREAVED, "identity_document": jpeg(), "bereavement_document": jpeg("koseki.jpg")},
    )
    page = confirmation.content.decode()
    assert "入力内容の確認" in page and "スズキ ジロウ" in page

    client.post("/requests/confirm/", {"draft": draft_of(confirmation), "send": "1"})

    filed = Request.objects.get()
    assert filed.is_bereaved and filed.bereaved_relationship == Request.Bereaved.CHILD
    assert (filed.bereaved_name, filed.bereaved_name_kana) == ("鈴木 次郎", "スズキ ジロウ")
    assert filed.institution_consent and filed.kinds == [Kind.DISCLOSURE]
    assert [c.code for c in filed.categories.all()] == ["receipts"]
    assert set(filed.documents.values_list("role", flat=True)) == {
        IdentityDocument.Role.IDENTITY,
        IdentityDocument.Role.BEREAVEMENT,
    }


def test_mhlw_bereaved_without_relationship_name_or_proof_is_told_what_to_add(client, jpeg):
    data = {**BEREAVED, "bereaved_relationship": "", "bereaved_name": ""}
    data["bereaved_name_kana"] = "ｽｽﾞｷ1"
    page = client.post("/requests/new/", {**data, "identity_document": jpeg()}).content.decode()

    assert "遺族として依頼するときは「亡くなった加入者との続柄」を入力してください。" in page
    assert "遺族として依頼するときは「遺族の氏名」を入力してください。" in page
    assert "フリガナはカタカナかひらがなで入力してください。" in page
    assert "「死亡の事実と続柄を証する書類」のファイルを選んでください。" in page
    assert Request.objects.count() == 0


def test_mhlw_bereaved_relationship_outside_the_notices_list_is_refused(client, jpeg):
    page = client.post(
        "/requests/new/",
        {**BEREAVED, "bereaved_relationship": "friend", "identity_document": jpeg()},
    ).content.decode()
    assert "正しく選択してください。 friend は候補にありません。" in page
    assert Request.objects.count() == 0


def test_mhlw_bereaved_asking_other_kinds_goes_back_to_the_first_step(client):
    page = client.get(
        "/requests/new/", {"filer": "self", "bereaved": "on", "kinds": "erasure"}
    ).content.decode()
    assert "手順 1／2" in page
    assert "遺族として依頼できるのは、亡くなった加入者の診療報酬明細書等の開示だけです。" in page


def test_a_first_step_with_neither_kind_nor_bereaved_asks_for_a_kind(client):
    page = client.get("/requests/new/", {"filer": "self"}).content.decode()
    assert "請求の種類を1つ以上選んでください。" in page


def test_mhlw_bereaved_paper_request_at_the_counter(sign_in, bare_officer, register):
    client = sign_in(bare_officer)
    paper = {
        **BEREAVED,
        "bereaved": "",
        "kinds": ["disclosure"],
        "channel": "counter",
        "received_on": "令和８年４月１日",
        "institution_consent": "",
    }
    response = client.post("/admin/disclosure/request/add/", {**paper, "kinds": ["erasure"]})
    assert "遺族として依頼できるのは" in response.content.decode()
    response = client.post("/admin/disclosure/request/add/", paper)
    assert response.status_code == 302
    filed = Request.objects.get()
    assert filed.is_bereaved and not filed.institution_consent
    assert filed.bereaved_name == "鈴木 次郎" and filed.created_by == bare_officer
    assert [c.code for c in filed.categories.all()] == ["receipts"]
    page = client.get(f"/admin/disclosure/request/{filed.pk}/change/").content.decode()
    assert "遺族への診療報酬明細書等の開示" in page
