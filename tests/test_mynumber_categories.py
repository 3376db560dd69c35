"""A category flagged 個人番号を含む (資格, 現金給付) has effects: only the
designated 個人番号事務取扱担当者 read it (番号法; 特定個人情報ガイドライン「事務取扱担当者の
明確化」), never through the API or a CSV export (番号法第19条・第20条), and its reads have a
report of their own for the 監事."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audit.models import Event
from audit.vocabulary import Action
from records import gate
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory
from reports.tests.conftest import period_query, table
from safeguards import approvals
from safeguards.models import Approval
from safeguards.roles import Role
from safeguards.scopes import ask_scope_grant, category_ids_for, grant_scope
from safeguards.testing import in_good_standing, make_staff

pytestmark = pytest.mark.django_db

MANAGEMENT = "member-management"  # permitted for eligibility only
LINKAGE = "online-eligibility-linkage"  # permitted for eligibility and health-checks


def designate(user):
    user.groups.add(Group.objects.get(name=Role.MY_NUMBER_HANDLER))


def undesignate(user):
    user.groups.remove(Group.objects.get(name=Role.MY_NUMBER_HANDLER))


def granted_then_undesignated(user, category, by):
    """A grant made while `user` was designated, the designation withdrawn since: the grant
    itself is refused to anyone undesignated (below), so only this way does one hold it."""
    designate(user)
    grant_scope(user=user, category=category, by=by)
    undesignate(user)


@pytest.fixture
def eligibility_handler(register, privacy_officer):
    user = in_good_standing(make_staff("shikaku", Role.HANDLER))
    granted_then_undesignated(user, register["eligibility"], privacy_officer)
    grant_scope(user=user, category=register["health-checks"], by=privacy_officer)
    return user


@pytest.fixture
def records(register):
    member = MemberFactory(name="資格太郎")
    return {
        "eligibility": RecordFactory(
            member=member,
            category=register["eligibility"],
            title="資格取得2015",
            payload=EXAMPLE_PAYLOADS["eligibility"],
        ),
        "health-checks": RecordFactory(
            member=member,
            category=register["health-checks"],
            title="特定健診2025",
            payload=EXAMPLE_PAYLOADS["health-checks"],
        ),
    }


def titles(user, purpose, surface=gate.Surface.ADMIN) -> set[str]:
    with gate.ledger():
        access = gate.open_access(user=user, surface=surface, purpose=purpose)
        return {record.title for record in gate.records(access)}


def test_mynumber_act_only_a_designated_handler_reads_a_flagged_category(
    eligibility_handler, records
):
    with pytest.raises(gate.MyNumberWithheld) as refused:
        titles(eligibility_handler, MANAGEMENT)
    assert "個人番号事務取扱担当者として指定された職員だけ" in str(refused.value)
    # Where the purpose reaches another category too, the flagged one is left out.
    assert titles(eligibility_handler, LINKAGE) == {"特定健診2025"}
    refusal = Event.objects.get(action=Action.RECORDS_ACCESS_REFUSED)
    assert refusal.details["reason"] == "my_number_withheld"

    designate(eligibility_handler)

    assert titles(eligibility_handler, MANAGEMENT) == {"資格取得2015"}
    assert titles(eligibility_handler, LINKAGE) == {"資格取得2015", "特定健診2025"}


def test_mynumber_act_the_admin_says_why_to_a_handler_not_designated(
    sign_in, eligibility_handler, records
):
    client = sign_in(eligibility_handler)
    client.post(reverse("admin:records_purpose"), {"purpose": MANAGEMENT})

    page = client.get(reverse("admin:records_record_changelist"))

    assert page.status_code == 403
    assert "個人番号事務取扱担当者" in page.text
    assert "資格取得2015" not in page.text


def test_mynumber_act_art19_the_api_never_serves_a_flagged_category(
    client, eligibility_handler, records
):
    designate(eligibility_handler)
    token = Token.objects.create(user=eligibility_handler)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"

    only_flagged = client.get("/api/v1/records/", {"purpose": MANAGEMENT})
    mixed = client.get("/api/v1/records/", {"purpose": LINKAGE})
    one = client.get(f"/api/v1/records/{records['eligibility'].pk}/", {"purpose": LINKAGE})

    assert only_flagged.status_code == 403
    assert "API と CSV 出力では提供しません" in only_flagged.json()["detail"]
    assert [r["title"] for r in mixed.json()["results"]] == ["特定健診2025"]
    assert one.status_code == 404
    assert "資格取得2015" not in mixed.text + one.text


def test_mynumber_act_art19_a_csv_export_of_a_flagged_category_is_refused(
    sign_in, eligibility_handler, records
):
    designate(eligibility_handler)
    client = sign_in(eligibility_handler)
    client.post(reverse("admin:records_purpose"), {"purpose": LINKAGE})
    chosen = [records["eligibility"].pk, records["health-checks"].pk]

    response = client.post(
        reverse("admin:records_record_changelist"),
        {"action": "export_csv", "_selected_action": chosen},
        follow=True,
    )

    assert response["Content-Type"].startswith("text/html")
    assert "API と CSV 出力では提供しません" in response.text
    assert not Event.objects.filter(details__surface="export").exists()
    # Without it, the rest exports as before.
    alone = client.post(
        reverse("admin:records_record_changelist"),
        {"action": "export_csv", "_selected_action": [records["health-checks"].pk]},
    )
    assert alone["Content-Type"].startswith("text/csv")


def test_mynumber_act_the_auditor_sees_the_designated_handlers_and_their_reads(
    sign_in, auditor, eligibility_handler, records, privacy_officer
):
    designate(eligibility_handler)
    titles(eligibility_handler, MANAGEMENT)
    not_designated = in_good_standing(make_staff("kyufu", Role.HANDLER))
    granted_then_undesignated(not_designated, records["eligibility"].category, privacy_officer)
    with pytest.raises(gate.MyNumberWithheld):
        titles(not_designated, MANAGEMENT)
    today = timezone.localdate()

    page = sign_in(auditor).get(f"/reports/my-number/?{period_query(today, today)}")

    assert page.status_code == 200
    assert table(page, "個人番号を含む類型") == [
        ["資格に関する情報", "1"],
        ["現金給付に関する情報", "0"],
    ]
    assert table(page, "個人番号事務取扱担当者") == [
        ["kyufu", "指定なし（閲覧できません）", "資格に関する情報"],
        ["shikaku", "指定あり", "資格に関する情報"],
    ]
    [read] = table(page, "期間中の閲覧")
    assert read[1:] == ["資格に関する情報", "shikaku", "管理画面", "1", "1"]
    assert table(page, "期間中の拒否") == [["kyufu", "管理画面", "1"]]
    assert "資格太郎" not in page.text


def test_mynumber_act_a_flagged_category_is_refused_at_grant_to_someone_not_designated(
    register, privacy_officer
):
    user = in_good_standing(make_staff("kyufu", Role.HANDLER))
    granted = Event.objects.filter(action=Action.SAFEGUARDS_SCOPE_GRANTED).count()

    for grant in (grant_scope, ask_scope_grant):
        with pytest.raises(PermissionDenied) as refused:
            grant(user=user, category=register["cash-benefits"], by=privacy_officer)
        assert "類型「現金給付に関する情報」は個人番号を含むため" in str(refused.value)
        assert "個人番号事務取扱担当者" in str(refused.value)

    assert category_ids_for(user) == set()
    assert not Approval.objects.exists()
    assert Event.objects.filter(action=Action.SAFEGUARDS_SCOPE_GRANTED).count() == granted
    # A category without the number is granted as before, and so is the flagged one once
    # the person is designated.
    grant_scope(user=user, category=register["insured-income"], by=privacy_officer)
    designate(user)
    grant_scope(user=user, category=register["cash-benefits"], by=privacy_officer)
    assert category_ids_for(user) == {register["insured-income"].pk, register["cash-benefits"].pk}


def test_mynumber_act_an_approval_asked_before_the_designation_was_withdrawn_grants_nothing(
    register, privacy_officer
):
    user = in_good_standing(make_staff("kyufu", Role.HANDLER))
    designate(user)
    asked = ask_scope_grant(user=user, category=register["eligibility"], by=privacy_officer)
    undesignate(user)

    with pytest.raises(PermissionDenied, match="個人番号を含むため"):
        approvals.approve(approval=asked, by=make_staff("second", Role.PRIVACY_OFFICER))

    assert category_ids_for(user) == set()


def test_mynumber_act_the_scope_screen_says_why_beside_the_categories(
    sign_in, register, privacy_officer
):
    user = in_good_standing(make_staff("kyufu", Role.HANDLER))
    screen = reverse("admin:scope_edit", args=[user.pk])
    client = sign_in(privacy_officer)

    page = client.post(screen, {"categories": [register["eligibility"].pk]})

    assert page.status_code == 200
    assert "類型「資格に関する情報」は個人番号を含むため" in page.text
    assert "「個人番号事務取扱担当者」のグループに加えてから" in page.text
    assert not Approval.objects.exists()
    # Designated, the same post asks a second officer, as every grant does.
    designate(user)
    page = client.post(screen, {"categories": [register["eligibility"].pk]})
    assert page.status_code == 302
    assert Approval.objects.get().change["category"] == register["eligibility"].pk
