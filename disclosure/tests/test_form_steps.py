"""The public form in two steps, with no script: who files and which kinds first, then a page
with only the fields those need; going back to the first step keeps what was typed."""

import re

import pytest

from disclosure.models import Request

from .test_filing import FULL_WIDTH, draft_of

pytestmark = pytest.mark.django_db

AGENT = {
    "agent_name": "山田　太郎",
    "agent_name_kana": "ヤマダ　タロウ",
    "agent_relationship": "父",
    "agent_phone": "03-1111-2222",
}


def inputs(page: str) -> set[str]:
    """The names of the fields a person sees (hidden inputs left out)."""
    return {
        name
        for tag, name in re.findall(r'<(input|textarea|select)[^>]*name="([^"]+)"', page)
        if not re.search(rf'<{tag}[^>]*type="hidden"[^>]*name="{name}"', page)
    } - {"csrfmiddlewaretoken"}


def test_the_first_step_asks_only_who_files_and_what(client):
    page = client.get("/requests/new/").content.decode()

    assert "手順 1／2" in page
    assert inputs(page) == {"filer", "kinds", "narrow", "bereaved"}
    assert 'method="get"' in page  # its answer is the address of the form's page


def test_a_member_asking_only_disclosure_sees_no_agent_correction_or_category_fields(client):
    page = client.get("/requests/new/", {"filer": "self", "kinds": "disclosure"}).content.decode()

    assert "手順 2／2" in page
    assert inputs(page) == {
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
        "include_provision_records",
        "method",
        "identity_document",
        "choose",
    } - {"choose"}
    chosen = page.split('id="chosen"')[1].split("</dl>")[0]
    assert "本人" in chosen and "開示" in chosen and "すべての類型・期間" in chosen


def test_an_agent_asking_correction_and_erasure_for_some_categories_sees_those_fields(
    client, register
):
    page = client.get(
        "/requests/new/",
        {"filer": "legal_agent", "kinds": ["correction", "erasure"], "narrow": "on"},
    ).content.decode()

    seen = inputs(page)
    assert {"agent_name", "agent_phone", "agent_identity_document", "authority_document"} <= seen
    assert {"correction_item_1", "correction_requested_3", "grounds"} <= seen
    assert {"categories", "period_from", "period_until"} <= seen
    assert not {"method", "include_provision_records"} & seen


def test_a_first_step_without_a_kind_says_so_in_japanese(client):
    page = client.get("/requests/new/", {"filer": "self"}).content.decode()

    assert "手順 1／2" in page
    assert "請求の種類（複数選べます）：請求の種類を1つ以上選んでください。" in page


def test_going_back_to_the_first_step_keeps_what_was_typed(client, jpeg):
    typed = {**FULL_WIDTH, "identity_document": jpeg()}
    first = client.post("/requests/new/", {**typed, "choose": "1"}).content.decode()
    assert "手順 1／2" in first and 'method="post"' in first
    assert "山田" not in first  # carried signed, never as a field of its own
    carried = re.search(r'name="typed" value="([^"]+)"', first).group(1)

    # The kinds changed to 開示 only, with 利用停止 added: the page asks for the grounds.
    second = client.post(
        "/requests/new/",
        {"typed": carried, "chosen": "1", "filer": "self", "kinds": ["disclosure", "suspension"]},
    ).content.decode()

    assert "手順 2／2" in second
    assert 'value="山田　花子"' in second and "提出済みです" in second
    assert "grounds" in inputs(second) and "correction_item_1" not in inputs(second)
    assert "入力内容を確認してください" not in second  # shown again, not yet checked


def test_a_choice_the_form_does_not_take_goes_back_to_the_first_step(client, jpeg):
    page = client.post(
        "/requests/new/", {**FULL_WIDTH, "kinds": ["nonsense"], "identity_document": jpeg()}
    ).content.decode()

    assert "手順 1／2" in page
    assert "正しく選択してください。 nonsense は候補にありません。" in page
    assert Request.objects.count() == 0


def test_fields_the_choice_does_not_ask_for_are_not_filed(client, jpeg):
    data = {
        **FULL_WIDTH,
        **AGENT,
        "kinds": ["disclosure"],
        "grounds": "不要な理由",
        "categories": ["1"],
        "period_from": "2020-01-01",
        "identity_document": jpeg(),
    }
    confirmation = client.post("/requests/new/", data)
    assert "山田　太郎" not in confirmation.content.decode()

    client.post("/requests/confirm/", {"draft": draft_of(confirmation), "send": "1"})

    filed = Request.objects.get()
    assert (filed.agent_name, filed.grounds, filed.corrections) == ("", "", [])
    assert (filed.period_from, list(filed.categories.all())) == (None, [])


def test_the_receipt_page_has_a_print_button(client, jpeg):
    confirmation = client.post("/requests/new/", {**FULL_WIDTH, "identity_document": jpeg()})
    client.post("/requests/confirm/", {"draft": draft_of(confirmation), "send": "1"})

    page = client.get("/requests/done/").content.decode()

    assert '<button type="button" class="print" id="print" hidden>このページを印刷する' in page
    assert "kumiai/print.js" in page


def test_a_confirmation_that_waited_too_long_starts_again_at_the_first_step(client):
    page = client.post("/requests/confirm/", {"draft": "expired", "send": "1"}).content.decode()

    assert "手順 1／2" in page
    assert "確認画面を開いてから時間がたったため" in page
