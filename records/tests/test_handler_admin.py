"""The handler's day in the admin: search as people type, members read first, records
edited by field, CSV for Excel, the purpose picker by category, out-of-scope said plainly."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import Event
from audit.vocabulary import Action
from records.models import Member, Record, Restriction
from records.search import member_query
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory
from safeguards.scopes import grant_scope

CHECKUP = "checkup-reminder"  # permitted for health-checks, not for receipts


@pytest.fixture
def suzuki(register):
    member = MemberFactory(
        symbol="5001", number="1", branch="00", name="鈴木一郎", name_kana="スズキ イチロウ"
    )
    RecordFactory(
        member=member,
        category=register["health-checks"],
        title="特定健診2025",
        payload=EXAMPLE_PAYLOADS["health-checks"],
    )
    return member


@pytest.fixture
def handler(sign_in, handler_kenshin, kenshin_and_receipt, suzuki):
    client = sign_in(handler_kenshin)
    client.post(reverse("admin:records_purpose"), {"purpose": CHECKUP})
    return client


@pytest.mark.parametrize(
    "term",
    [
        "すずき",
        "ｽｽﾞｷ",
        "スズキ",
        "鈴木",
        "スズキ　イチロウ",
        "すずきいちろう",
        "鈴木 一郎",
        "５００１－１",
        "5001-1",
        "5001-1-00",
        "5001ー1",
    ],
)
def test_search_finds_a_member_however_the_name_or_number_is_typed(term, suzuki):
    assert list(Member.objects.filter(member_query(term))) == [suzuki]


@pytest.mark.parametrize("term", ["5001-1-01", "5001-11", "さとう", "5002-1"])
def test_search_does_not_find_another_number_or_name(term, suzuki):
    MemberFactory(
        symbol="5001", number="11", branch="00", name_kana="サトウ ハナコ", name="佐藤花子"
    )
    found = Member.objects.filter(member_query(term))
    assert suzuki not in found


@pytest.mark.parametrize("term", ["すずき", "5001-1-00", "５００１－１"])
def test_the_handler_finds_the_member_and_their_records_by_kana_and_number(handler, term):
    members = handler.get(reverse("admin:records_member_changelist"), {"q": term})
    records = handler.get(reverse("admin:records_record_changelist"), {"q": term})
    assert [str(m) for m in members.context["cl"].result_list] == ["5001-1-00"]
    assert [r.title for r in records.context["cl"].result_list] == ["特定健診2025"]


def test_search_stays_inside_the_scope(handler, kenshin_and_receipt):
    treated = kenshin_and_receipt["treated"]  # known only by a receipt
    response = handler.get(reverse("admin:records_member_changelist"), {"q": str(treated)})
    assert response.context["cl"].result_count == 0
    assert "受診秘子" not in response.text


def test_the_member_list_sorts_insurance_numbers_as_numbers(handler, register):
    for number in ("104", "11", "2"):
        member = MemberFactory(symbol="5001", number=number, branch="00", name_kana="サトウ")
        RecordFactory(member=member, category=register["health-checks"])
    response = handler.get(reverse("admin:records_member_changelist"), {"q": "5001"})
    shown = [str(m) for m in response.context["cl"].result_list]
    assert shown == ["5001-1-00", "5001-2-00", "5001-11-00", "5001-104-00"]


def test_a_member_page_reads_first_with_records_by_category_and_edits_on_purpose(handler, suzuki):
    url = reverse("admin:records_member_change", args=[suzuki.pk])
    page = handler.get(url)
    assert page.status_code == 200
    assert "健康診査に関する情報" in page.text  # the group's heading
    record = Record.objects.get(member=suzuki)
    assert reverse("admin:records_record_change", args=[record.pk]) in page.text
    assert 'href="?edit=1"' in page.text and "編集" in page.text
    assert 'name="name_kana"' not in page.text  # no input until 編集 is chosen
    edit = handler.get(url, {"edit": "1"})
    assert 'name="name_kana"' in edit.text
    assert 'name="_continue"' not in edit.text


def test_a_record_page_is_titled_by_category_member_and_date(handler, suzuki):
    record = Record.objects.get(member=suzuki)
    page = handler.get(reverse("admin:records_record_change", args=[record.pk]))
    title = page.text.split("<title>")[1].split("</title>")[0]
    assert "健康診査に関する情報の記録" in title and "鈴木一郎" in title and "2026年4月1日" in title
    assert f"{record.category_id}:{record.pk}" not in page.text
    assert str(record) == f"健康診査に関する情報の記録（{record.pk}）"  # history, recent actions
    assert 'name="payload"' not in page.text  # no JSON to type
    assert 'name="payload_examined_on"' in page.text and 'type="date"' in page.text
    assert "受診日" in page.text and "喫煙" in page.text


def test_a_record_is_edited_by_its_fields_and_the_change_is_audited(handler, suzuki):
    record = Record.objects.get(member=suzuki)
    data = {
        "member": suzuki.pk,
        "date": "2026-04-01",
        "title": "特定健診2025",
        **{f"payload_{k}": v for k, v in EXAMPLE_PAYLOADS["health-checks"].items()},
        "payload_systolic_bp": "１４２",
        "payload_smoker": "はい",
    }
    response = handler.post(reverse("admin:records_record_change", args=[record.pk]), data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.payload["systolic_bp"], record.payload["smoker"]) == (142, True)
    changes = Event.objects.get(action=Action.RECORDS_RECORD_CHANGED).details["changes"]
    assert "payload.systolic_bp" in changes


def test_adding_a_record_starts_from_its_category(handler, register):
    chooser = handler.get(reverse("admin:records_record_add"))
    assert chooser.status_code == 200
    assert f"?category={register['health-checks'].pk}" in chooser.text
    assert "レセプトに関する情報" not in chooser.text  # only the access's categories
    form = handler.get(
        reverse("admin:records_record_add"), {"category": register["health-checks"].pk}
    )
    assert 'name="payload_facility"' in form.text


def test_the_csv_opens_in_excel_with_japanese_headers_and_labelled_content(handler, suzuki):
    [record] = Record.objects.filter(member=suzuki)
    response = handler.post(
        reverse("admin:records_record_changelist"),
        {"action": "export_csv", "_selected_action": [record.pk]},
    )
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark Excel looks for
    assert "filename*=utf-8''%E8%A8%98%E9%8C%B2.csv" in response["Content-Disposition"]
    header, row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[:5] == ["記号-番号-枝番", "氏名", "類型", "日付", "件名"]
    assert {"受診日", "身長（cm）", "喫煙"} <= set(header)
    shown = dict(zip(header, row, strict=True))
    assert shown["類型"] == "健康診査に関する情報"
    assert shown["記号-番号-枝番"] == "5001-1-00"
    assert shown["受診日"] == EXAMPLE_PAYLOADS["health-checks"]["examined_on"]
    assert shown["喫煙"] in ("はい", "いいえ")
    assert "{" not in body.decode("utf-8-sig")  # no JSON


def test_the_csv_masks_an_account_number_and_names_the_category_of_a_repeated_title(
    sign_in, handler_kenshin, privacy_officer, register
):
    for code in ("bank-accounts", "insured-income"):
        grant_scope(user=handler_kenshin, category=register[code], by=privacy_officer)
    member = MemberFactory()
    rows = [
        RecordFactory(member=member, category=register[code], payload=EXAMPLE_PAYLOADS[code])
        for code in ("bank-accounts", "insured-income")
    ]
    client = sign_in(handler_kenshin)
    # A statutory read (APPI Art. 18(3)) reads every category of the scope at once.
    client.post(reverse("admin:records_purpose"), {"ground": "law", "reason": "税務署長の照会"})
    response = client.post(
        reverse("admin:records_record_changelist"),
        {"action": "export_csv", "_selected_action": [r.pk for r in rows]},
    )
    text = response.content.decode("utf-8-sig")
    account = EXAMPLE_PAYLOADS["bank-accounts"]["account_number"]
    assert account not in text and "****" + account[-3:] in text
    header = next(csv.reader(io.StringIO(text)))
    # Both categories have a 種別: each column says whose it is.
    assert "種別（加入者の口座情報）" in header
    assert "種別（被保険者及び被扶養者の収入に関する情報）" in header
    assert "口座番号" in header


def test_the_purpose_picker_groups_purposes_under_category_names(sign_in, handler_kenshin):
    client = sign_in(handler_kenshin)
    page = client.get(reverse("admin:records_purpose"))
    groups = page.context["purpose_form"].fields["purpose"].choices
    assert [name for name, _purposes in groups] == ["健康診査に関する情報"]
    assert "健康診査に関する情報" in page.text


def test_an_out_of_scope_record_says_it_is_outside_the_staff_members_scope(
    handler, kenshin_and_receipt
):
    receipt = kenshin_and_receipt["receipt"]
    response = handler.get(reverse("admin:records_record_change", args=[receipt.pk]), follow=True)
    text = response.text
    assert "あなたの担当外のため表示できません" in text
    assert "削除された可能性があります" not in text
    assert "外来レセプト秘匿" not in text and "受診秘子" not in text


def test_the_restrictions_register_finds_a_member_by_kana_too(handler, handler_kenshin, suzuki):
    handler_kenshin.user_permissions.add(Permission.objects.get(codename="view_restriction"))
    Restriction.objects.create(
        member=suzuki, kind=Restriction.Kind.STOP_THIRD_PARTY, since=datetime.date(2026, 1, 1)
    )
    found = handler.get(reverse("admin:records_restriction_changelist"), {"q": "ｽｽﾞｷ"})
    assert [r.member for r in found.context["cl"].result_list] == [suzuki]
    none = handler.get(reverse("admin:records_restriction_changelist"), {"q": "さとう"})
    assert none.context["cl"].result_count == 0


def test_mynumber_act_a_record_refuses_a_my_number_beside_its_field(handler, suzuki):
    # 番号法第20条: Kumiai keeps no 個人番号; the payload's field and the title say why.
    record = Record.objects.get(member=suzuki)
    data = {
        "member": suzuki.pk,
        "date": "2026-04-01",
        "title": "特定健診 1234 5678 9018",
        **{f"payload_{k}": v for k, v in EXAMPLE_PAYLOADS["health-checks"].items()},
        "payload_facility": "芝健診センター（個人番号１２３４５６７８９０１８）",
    }
    response = handler.post(reverse("admin:records_record_change", args=[record.pk]), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "個人番号（マイナンバー）と思われる12桁の番号" in errors["payload_facility"][0]
    assert "個人番号（マイナンバー）と思われる12桁の番号" in errors["title"][0]
    assert "個人番号（マイナンバー）と思われる12桁の番号" in response.text
    record.refresh_from_db()
    assert record.title == "特定健診2025"
    assert "1234" not in record.payload["facility"]


def test_the_row_checkbox_is_djangos_own_markup(register):
    # Written without the template engine for speed (issue 16): the same input, the same label.
    from django.contrib import admin

    from records.admin import RecordAdmin

    record = RecordFactory(category=register["health-checks"])
    ours = RecordAdmin(Record, admin.site).action_checkbox(record)
    assert ours == admin.ModelAdmin.action_checkbox(None, record)
    assert 'name="_selected_action"' in ours and f'value="{record.pk}"' in ours
