"""Writes in the admin: members and records in scope, restrictions and provisions, all
through the gate and `records.services`; bad input is a form error and nothing is saved.
"""

import datetime
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import Event
from audit.vocabulary import Action
from records.models import Consent, Member, Record, Restriction, ThirdPartyProvision
from records.services import consent_record
from records.tests.factories import EXAMPLE_PAYLOADS, RecordFactory

CHECKUP = "checkup-reminder"  # permitted for health-checks, not for receipts


@pytest.fixture
def kenshin_client(sign_in, handler_kenshin, kenshin_and_receipt):
    client = sign_in(handler_kenshin)
    client.post(reverse("admin:records_purpose"), {"purpose": CHECKUP})
    return client


def record_form(member, category, payload, **extra) -> dict:
    """The record's page as a person fills it in: one field per item of the content."""
    fields = {
        f"payload_{key}": ("はい" if value else "いいえ") if isinstance(value, bool) else value
        for key, value in payload.items()
    }
    return {
        "member": member.pk,
        "category": category.pk,
        "date": "2026-04-01",
        "title": "特定健診2026",
        **fields,
        **extra,
    }


def add_record(client, data):
    return client.post(reverse("admin:records_record_add") + f"?category={data['category']}", data)


def test_it_adds_a_record_in_scope_through_the_service(
    kenshin_client, kenshin_and_receipt, register
):
    member = kenshin_and_receipt["checked"]
    payload = {**EXAMPLE_PAYLOADS["health-checks"], "height_cm": "１７０.２"}
    response = add_record(kenshin_client, record_form(member, register["health-checks"], payload))
    assert response.status_code == 302
    record = next(r for r in Record.objects.all() if r.title == "特定健診2026")  # sealed
    assert record.payload["height_cm"] == 170.2  # normalised by the service
    event = Event.objects.get(action=Action.RECORDS_RECORD_CREATED)
    assert event.details["category"] == "health-checks"
    assert "170" not in json.dumps(event.details)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {**EXAMPLE_PAYLOADS["health-checks"], "systolic_bp": "高め"},
            "systolic_bp",
            "「収縮期血圧」は整数",
        ),
        ({"examined_on": "2025-05-20"}, "facility", "「健診機関」を入力してください。"),
        (
            {**EXAMPLE_PAYLOADS["health-checks"], "examined_on": "5月"},
            "examined_on",
            "「受診日」は日付",
        ),
        (
            {**EXAMPLE_PAYLOADS["health-checks"], "smoker": "たぶん"},
            "smoker",
            "正しく選択してください",
        ),
    ],
    ids=["wrong-type", "missing-fields", "not-a-date", "not-a-choice"],
)
def test_bad_content_is_an_error_beside_its_field_and_nothing_is_saved(
    kenshin_client, kenshin_and_receipt, register, payload, field, message
):
    member = kenshin_and_receipt["checked"]
    before = Record.objects.count()
    response = add_record(kenshin_client, record_form(member, register["health-checks"], payload))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[f"payload_{field}"])
    assert Record.objects.count() == before
    assert not Event.objects.filter(action=Action.RECORDS_RECORD_CREATED).exists()


def test_a_category_outside_the_scope_is_a_form_error(
    kenshin_client, kenshin_and_receipt, register
):
    member = kenshin_and_receipt["checked"]
    data = record_form(member, register["receipts"], EXAMPLE_PAYLOADS["receipts"])
    response = add_record(kenshin_client, data)
    assert response.status_code == 200
    assert "category" in response.context["adminform"].form.errors
    assert not [r for r in Record.objects.all() if r.title == "特定健診2026"]  # sealed


def test_a_record_keeps_its_category_so_it_cannot_be_moved_out_of_the_scope(
    kenshin_client, kenshin_and_receipt, register
):
    record = kenshin_and_receipt["kenshin"]
    data = record_form(record.member, register["receipts"], EXAMPLE_PAYLOADS["health-checks"])
    response = kenshin_client.post(reverse("admin:records_record_change", args=[record.pk]), data)
    assert response.status_code == 302  # saved, in its own category: the posted one is ignored
    record.refresh_from_db()
    assert record.category == register["health-checks"]
    assert record.title == "特定健診2026"


def test_a_member_outside_the_scope_is_not_a_choice(kenshin_client, kenshin_and_receipt, register):
    treated = kenshin_and_receipt["treated"]  # known only by a receipt
    data = record_form(treated, register["health-checks"], EXAMPLE_PAYLOADS["health-checks"])
    response = add_record(kenshin_client, data)
    assert response.status_code == 200
    assert "member" in response.context["adminform"].form.errors
    assert "受診秘子" not in response.text
    assert not Record.objects.filter(member=treated, category=register["health-checks"]).exists()


def test_it_changes_a_record_through_the_service(kenshin_client, kenshin_and_receipt, register):
    record = kenshin_and_receipt["kenshin"]
    payload = {**EXAMPLE_PAYLOADS["health-checks"], "systolic_bp": 141}
    data = record_form(record.member, register["health-checks"], payload, title="再検査")
    response = kenshin_client.post(reverse("admin:records_record_change", args=[record.pk]), data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.title, record.payload["systolic_bp"]) == ("再検査", 141)
    changes = Event.objects.get(action=Action.RECORDS_RECORD_CHANGED).details["changes"]
    assert {"title", "payload.systolic_bp"} <= set(changes)


def member_form(member, **changes) -> dict:
    fields = ("symbol", "number", "branch", "name", "name_kana", "birth_date", "sex")
    data = {field: getattr(member, field) for field in fields}
    data |= {
        "relationship": member.relationship,
        "insured": "",
        "employer": member.employer,
        "acquired_on": member.acquired_on,
        "lost_on": "",
    }
    return data | changes


def test_it_changes_a_member_through_the_service(kenshin_client, kenshin_and_receipt):
    member = kenshin_and_receipt["checked"]
    url = reverse("admin:records_member_change", args=[member.pk])
    response = kenshin_client.post(url, member_form(member, name_kana="けんしんはなこ"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name_kana == "ケンシンハナコ"  # unchanged once normalised: no event
    response = kenshin_client.post(url, member_form(member, employer="大阪支社"))
    assert response.status_code == 302
    assert set(Event.objects.get(action=Action.RECORDS_MEMBER_CHANGED).details["changes"]) == {
        "employer"
    }


def test_a_bad_member_change_is_a_form_error(kenshin_client, kenshin_and_receipt):
    member = kenshin_and_receipt["checked"]
    url = reverse("admin:records_member_change", args=[member.pk])
    data = member_form(member, relationship=Member.Relationship.CHILD, birth_date="昨日")
    response = kenshin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"birth_date", "insured"} <= set(errors)
    assert not Event.objects.filter(action=Action.RECORDS_MEMBER_CHANGED).exists()


def test_a_taken_insurance_number_is_refused_saying_only_that(kenshin_client, kenshin_and_receipt):
    member, treated = kenshin_and_receipt["checked"], kenshin_and_receipt["treated"]
    url = reverse("admin:records_member_change", args=[member.pk])
    taken = {"symbol": treated.symbol, "number": treated.number, "branch": treated.branch}
    response = kenshin_client.post(url, member_form(member, **taken))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == [
        "この記号・番号・枝番は既に使われています。番号を確かめてください。"
    ]
    assert "受診秘子" not in response.text and "ジュシンヒミコ" not in response.text
    member.refresh_from_db()
    assert (member.symbol, member.number, member.branch) != tuple(taken.values())
    assert not Event.objects.filter(action=Action.RECORDS_MEMBER_CHANGED).exists()


def test_a_member_out_of_scope_cannot_be_changed(kenshin_client, kenshin_and_receipt):
    treated = kenshin_and_receipt["treated"]
    url = reverse("admin:records_member_change", args=[treated.pk])
    response = kenshin_client.post(url, member_form(treated, name="書換"))
    assert response.status_code == 302  # "not found", like a member that never existed
    treated.refresh_from_db()
    assert treated.name == "受診秘子"


@pytest.fixture
def registrar(handler_kenshin):
    """The 健康診査 handler, allowed to keep the restrictions and provisions registers."""
    codenames = ("view_restriction", "add_restriction")
    codenames += ("view_thirdpartyprovision", "add_thirdpartyprovision")
    handler_kenshin.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return handler_kenshin


def test_restrictions_list_only_members_in_scope(
    registrar, kenshin_client, kenshin_and_receipt, register
):
    for member in (kenshin_and_receipt["checked"], kenshin_and_receipt["treated"]):
        Restriction.objects.create(
            member=member,
            kind=Restriction.Kind.STOP_THIRD_PARTY,
            since=datetime.date(2026, 1, 1),
            reference=f"R-{member.name}",
        )
    response = kenshin_client.get(reverse("admin:records_restriction_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert "受診秘子" not in response.text
    event = Event.objects.get(action=Action.RECORDS_ACCESS_READ)
    assert event.details["members"] == [kenshin_and_receipt["checked"].pk]


def test_it_adds_a_restriction_through_the_service(
    registrar, kenshin_client, kenshin_and_receipt, register
):
    member = kenshin_and_receipt["checked"]
    response = kenshin_client.post(
        reverse("admin:records_restriction_add"),
        {
            "member": member.pk,
            "kind": Restriction.Kind.SUSPEND_USE,
            "category": register["health-checks"].pk,
            "since": "2026-04-01",
            "reference": "Ｒ－０１",
        },
    )
    assert response.status_code == 302
    assert Restriction.objects.get(member=member).reference == "R-01"
    assert (
        Event.objects.get(action=Action.RECORDS_RESTRICTION_ADDED).details["kind"] == "suspend_use"
    )


def provision_form(member, category) -> dict:
    return {
        "member": member.pk,
        "category": category.pk,
        "recipient": "労働基準監督署",
        "provided_on": "2026-04-10",
        "items": "受診日\n検査結果",
        "legal_basis": ThirdPartyProvision.LegalBasis.CONSENT,
    }


def test_a_refused_provision_shows_why_and_saves_nothing(
    registrar, kenshin_client, kenshin_and_receipt, register
):
    member = kenshin_and_receipt["checked"]
    Restriction.objects.create(
        member=member, kind=Restriction.Kind.STOP_THIRD_PARTY, since=datetime.date(2026, 1, 1)
    )
    response = kenshin_client.post(
        reverse("admin:records_thirdpartyprovision_add"),
        provision_form(member, register["health-checks"]),
    )
    assert response.status_code == 200
    assert "第三者提供の停止" in str(response.context["adminform"].form.non_field_errors())
    assert not ThirdPartyProvision.objects.exists()
    assert not Event.objects.filter(action=Action.RECORDS_PROVISION_REGISTERED).exists()


def test_it_registers_a_provision_through_the_service(
    registrar, kenshin_client, kenshin_and_receipt, register
):
    member = kenshin_and_receipt["checked"]
    response = kenshin_client.post(
        reverse("admin:records_thirdpartyprovision_add"),
        provision_form(member, register["health-checks"]),
    )
    assert response.status_code == 200  # APPI Art. 27(1): no consent on file yet
    assert "第三者提供への同意" in str(response.context["adminform"].form.non_field_errors())
    consent_record(
        member=member,
        kind=Consent.Kind.CONSENT,
        method=Consent.Method.ELECTRONIC,
        given_on=datetime.date(2026, 4, 1),
        recipient="労働基準監督署",
        by=registrar,
    )
    response = kenshin_client.post(
        reverse("admin:records_thirdpartyprovision_add"),
        provision_form(member, register["health-checks"]),
    )
    assert response.status_code == 302
    assert ThirdPartyProvision.objects.get().items == ["受診日", "検査結果"]
    assert Event.objects.filter(action=Action.RECORDS_PROVISION_REGISTERED).count() == 1


def test_a_provision_of_a_category_outside_the_scope_is_a_form_error(
    registrar, kenshin_client, kenshin_and_receipt, register
):
    member = kenshin_and_receipt["checked"]
    RecordFactory(member=member, category=register["receipts"])
    response = kenshin_client.post(
        reverse("admin:records_thirdpartyprovision_add"),
        provision_form(member, register["receipts"]),
    )
    assert response.status_code == 200
    assert "category" in response.context["adminform"].form.errors
    assert not ThirdPartyProvision.objects.exists()


def test_the_registers_refuse_a_member_outside_the_scope(
    registrar, kenshin_client, kenshin_and_receipt, register
):
    treated = kenshin_and_receipt["treated"]
    response = kenshin_client.post(
        reverse("admin:records_thirdpartyprovision_add"),
        provision_form(treated, register["health-checks"]),
    )
    assert "member" in response.context["adminform"].form.errors
    assert "受診秘子" not in response.text
    assert not ThirdPartyProvision.objects.exists()


def test_art29_the_register_tells_the_art29_records_from_the_art27_1_exceptions(
    registrar, kenshin_client, kenshin_and_receipt, register
):
    member = kenshin_and_receipt["checked"]
    for recipient, basis in (
        ("東京都予防医学協会", ThirdPartyProvision.LegalBasis.CONSENT),
        ("千代田警察署", ThirdPartyProvision.LegalBasis.LAW),
        ("千代田区児童相談所", ThirdPartyProvision.LegalBasis.PUBLIC_HEALTH),
    ):
        ThirdPartyProvision.objects.create(
            member=member,
            category=register["health-checks"],
            recipient=recipient,
            provided_on=datetime.date(2026, 4, 10),
            legal_basis=basis,
        )
    url = reverse("admin:records_thirdpartyprovision_changelist")

    listed = kenshin_client.get(url)
    assert listed.text.count("第三者提供記録（法第29条）") >= 2  # the filter and the one row
    assert listed.text.count("法第27条第1項の例外による提供") >= 3

    art29 = kenshin_client.get(url, {"kept_under": "art29"})
    assert [p.recipient for p in art29.context["cl"].result_list] == ["東京都予防医学協会"]
    exceptions = kenshin_client.get(url, {"kept_under": "art27_1"})
    assert {p.recipient for p in exceptions.context["cl"].result_list} == {
        "千代田警察署",
        "千代田区児童相談所",
    }
