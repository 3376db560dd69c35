"""Every surface reads through the gate: the 健康診査 handler learns nothing of レセプト data."""

import csv
import io

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token

from audit.models import Event
from audit.vocabulary import Action
from records import gate
from records.middleware import GateLedgerMiddleware

CHECKUP = "checkup-reminder"  # permitted for health-checks, not for receipts
RECEIPT_SECRETS = ("外来レセプト秘匿", "受診秘子", "ジュシンヒミコ", "レセプトに関する情報")


@pytest.fixture
def kenshin_client(sign_in, handler_kenshin, kenshin_and_receipt):
    client = sign_in(handler_kenshin)
    client.post(reverse("admin:records_purpose"), {"purpose": CHECKUP})
    return client


def assert_no_receipt_data(content: bytes | str):
    text = content.decode() if isinstance(content, bytes) else content
    for secret in RECEIPT_SECRETS:
        assert secret not in text


def reads() -> list[Event]:
    return list(Event.objects.filter(action=Action.RECORDS_ACCESS_READ))


def test_the_record_list_shows_only_the_scope(kenshin_client):
    response = kenshin_client.get(reverse("admin:records_record_changelist"))
    assert response.status_code == 200
    assert "特定健診2025" in response.text
    assert "健康診査に関する情報" in response.text  # the category filter lists the scope
    assert_no_receipt_data(response.content)
    [event] = reads()
    assert event.details["surface"] == "admin"
    assert event.details["categories"] == ["health-checks"]


def test_search_and_the_member_list_show_nothing_of_receipts(kenshin_client):
    search = kenshin_client.get(reverse("admin:records_record_changelist"), {"q": "秘"})
    members = kenshin_client.get(reverse("admin:records_member_changelist"), {"q": "秘"})
    assert search.context["cl"].result_count == members.context["cl"].result_count == 0
    assert_no_receipt_data(search.content)
    assert_no_receipt_data(members.content)
    everyone = kenshin_client.get(reverse("admin:records_member_changelist"))
    assert "健診花子" in everyone.text
    assert_no_receipt_data(everyone.content)


def test_a_record_out_of_scope_is_not_found_like_one_that_never_existed(
    kenshin_client, kenshin_and_receipt
):
    receipt = kenshin_and_receipt["receipt"]
    hidden = kenshin_client.get(reverse("admin:records_record_change", args=[receipt.pk]))
    missing = kenshin_client.get(reverse("admin:records_record_change", args=[receipt.pk + 999]))
    assert hidden.status_code == missing.status_code == 302
    assert hidden["Location"] == missing["Location"]
    assert_no_receipt_data(kenshin_client.get(hidden["Location"]).content)
    assert not reads()


def test_autocomplete_offers_only_members_in_scope(kenshin_client):
    url = reverse("admin:autocomplete")
    params = {"app_label": "records", "model_name": "record", "field_name": "member"}
    found = kenshin_client.get(url, {**params, "term": "ジュシン"})
    assert found.status_code == 200
    assert found.json()["results"] == []
    assert_no_receipt_data(found.content)
    assert len(kenshin_client.get(url, {**params, "term": "ケンシン"}).json()["results"]) == 1


def test_the_export_holds_only_the_scope_and_is_logged_as_an_export(
    kenshin_client, kenshin_and_receipt
):
    both = [kenshin_and_receipt["kenshin"].pk, kenshin_and_receipt["receipt"].pk]
    response = kenshin_client.post(
        reverse("admin:records_record_changelist"),
        {"action": "export_csv", "_selected_action": both},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[4] for row in rows[1:]] == ["特定健診2025"]
    assert_no_receipt_data(response.content)
    [event] = reads()
    assert event.details["surface"] == "export"
    assert event.details["members"] == [kenshin_and_receipt["checked"].pk]


def test_the_admin_refuses_without_a_purpose_and_leads_to_the_picker_and_back(
    sign_in, handler_kenshin, kenshin_and_receipt
):
    client = sign_in(handler_kenshin)
    records = reverse("admin:records_record_changelist")
    response = client.get(records, follow=True)
    # Refused, audited, and taken to the picker, which says why and comes back to the list.
    assert response.redirect_chain[0][0].startswith(reverse("admin:records_purpose"))
    assert "利用目的が選ばれていません" in response.text
    assert (
        Event.objects.get(action=Action.RECORDS_ACCESS_REFUSED).details["reason"]
        == "purpose_missing"
    )
    picked = client.post(response.redirect_chain[0][0], {"purpose": CHECKUP}, follow=True)
    assert picked.redirect_chain[-1][0] == records
    assert "特定健診2025" in picked.text


def test_the_picker_offers_only_purposes_of_the_scope(kenshin_client):
    response = kenshin_client.get(reverse("admin:records_purpose"))
    assert CHECKUP in response.text
    assert "medical-expense-notice" not in response.text


@pytest.fixture
def api(client, handler_kenshin, kenshin_and_receipt):
    token = Token.objects.create(user=handler_kenshin)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def test_the_api_lists_only_the_scope(api, kenshin_and_receipt):
    records = api.get("/api/v1/records/", {"purpose": CHECKUP})
    members = api.get("/api/v1/members/", {"purpose": CHECKUP})
    assert records.json()["count"] == 1
    assert records.json()["results"][0]["title"] == "特定健診2025"
    assert [m["name"] for m in members.json()["results"]] == ["健診花子"]
    assert_no_receipt_data(records.content)
    assert_no_receipt_data(members.content)
    assert len(reads()) == 2


@pytest.mark.parametrize(
    "paging",
    [
        {"limit": 10**24},  # found by the API fuzz: a LIMIT past PostgreSQL's bigint was a 500
        {"limit": 2**63},
        {"offset": 10**24},
        {"limit": -5, "offset": -16111},
        {"limit": "many", "offset": "first"},
    ],
)
def test_the_api_pages_whatever_limit_and_offset_it_is_sent(api, kenshin_and_receipt, paging):
    response = api.get("/api/v1/records/", {"purpose": CHECKUP, **paging})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert len(body["results"]) == (0 if paging.get("offset") == 10**24 else 1)


def test_the_api_answers_not_found_for_a_record_out_of_scope(api, kenshin_and_receipt):
    receipt = kenshin_and_receipt["receipt"]
    hidden = api.get(f"/api/v1/records/{receipt.pk}/", {"purpose": CHECKUP})
    missing = api.get(f"/api/v1/records/{receipt.pk + 999}/", {"purpose": CHECKUP})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_the_api_needs_a_purpose_and_says_why(api):
    missing = api.get("/api/v1/records/")
    refused = api.get("/api/v1/records/", {"purpose": "medical-expense-notice"})
    assert missing.status_code == refused.status_code == 403
    assert missing.json()["reason"] == "purpose_missing"
    assert "purpose" in missing.json()["detail"]
    assert refused.json()["reason"] == "purpose_not_permitted"
    assert "医療費通知の発行" in refused.json()["detail"]
    assert_no_receipt_data(refused.content)


@pytest.mark.parametrize(
    "purpose",
    [
        '<script>alert("purpose")</script>',
        f'{CHECKUP}"><img src=x onerror=alert(1)>',
        "{{ settings.SECRET_KEY }} %(on)s \u202egnp.exe\u3000全角ｶﾅ",
        "\x1b[31m\r\nX-Injected: 1\t\u0085",
        "checkup\x00",  # PostgreSQL refuses NUL in text: the gate never sends it a non-slug
    ],
)
def test_the_api_refuses_an_unknown_purpose_without_repeating_it(api, purpose):
    response = api.get("/api/v1/records/", {"purpose": purpose})

    assert response.status_code == 403
    body = response.json()
    assert body["reason"] == "purpose_not_permitted"
    assert "登録簿にありません" in body["detail"]
    assert purpose not in response.text
    assert "alert" not in response.text and "X-Injected" not in response.text
    assert "X-Injected" not in response.headers
    assert not reads()
    refused = Event.objects.get(action=Action.RECORDS_ACCESS_REFUSED)
    assert (refused.purpose, refused.details["reason"]) == ("", "purpose_not_permitted")


def test_the_schema_generates(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/records/" in response.content


def test_the_schema_documents_the_refusals(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    refused = schema["paths"]["/api/v1/records/"]["get"]["responses"]["403"]
    error = schema["components"]["schemas"]["Error"]
    assert refused["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert error["properties"]["reason"]["enum"] == [
        "my_number_withheld",
        "out_of_scope",
        "purpose_missing",
        "purpose_not_permitted",
        "standing_lapsed",
    ]
    assert "purpose" in refused["description"]
    # The import takes no purpose: its 403 is a missing permission, never a purpose refused.
    imported = schema["paths"]["/api/v1/import/"]["post"]["responses"]["403"]
    assert "purpose" not in imported["description"]
    assert imported["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


@pytest.mark.parametrize("outcome", [500, "exception"])
def test_a_failed_request_leaves_no_access_event(handler_kenshin, kenshin_and_receipt, outcome):
    request = RequestFactory().get("/")

    def view(request):
        access = gate.open_access(user=handler_kenshin, surface="admin", purpose=CHECKUP)
        list(gate.records(access))
        if outcome == "exception":
            middleware.process_exception(request, ValueError())
            return HttpResponse(status=400)
        return HttpResponse(status=500)

    middleware = GateLedgerMiddleware(view)
    middleware(request)
    assert not reads()
