"""Protected members (the MHLW guidance for health insurance societies on victims of DV,
stalking and child abuse; the 支援措置 practice under the DV防止法): set and lifted by the
privacy officer alone, audited with ids only, shown to staff on the member's page, every read
of the member flagged for the 監事, and gone with the member's 消去."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from audit.models import Event
from audit.vocabulary import Action
from records import gate
from records.models import Protection
from records.services import member_erase, protection_lift, protection_set
from safeguards.roles import Role
from safeguards.testing import make_staff, sign_in_verified

from .test_handler_admin import CHECKUP, handler, suzuki  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
PERPETRATOR = "鈴木剛（夫）"
SINCE = datetime.date(2026, 4, 1)


@pytest.fixture
def officer(bare_officer):
    """The privacy officer, signed in, with no category, no member and no purpose: the
    protections' register is theirs by role (`gate.open_protections`)."""
    client = Client()
    sign_in_verified(client, bare_officer)
    client.user = bare_officer
    return client


def _protect(member, by) -> Protection:
    return protection_set(
        member=member, basis=Protection.Basis.DV, since=SINCE, persons=PERPETRATOR, by=by
    )


def test_dv_guidance_protection_set_by_the_privacy_officer_audited_without_the_names(
    privacy_officer,
    suzuki,  # noqa: F811
):
    protection = _protect(suzuki, privacy_officer)
    event = Event.objects.get(action=Action.RECORDS_PROTECTION_SET)
    assert event.details == {"member": suzuki.pk, "basis": "dv"}
    assert "鈴木剛" not in str(event.details) and "鈴木剛" not in str(protection)
    lifted = protection_lift(
        protection=protection, until=datetime.date(2026, 9, 30), by=privacy_officer
    )
    assert lifted.until == datetime.date(2026, 9, 30)
    assert Event.objects.get(action=Action.RECORDS_PROTECTION_LIFTED).details == {
        "member": suzuki.pk
    }
    assert not Protection.objects.member_ids([suzuki.pk], on=datetime.date(2026, 10, 1))


def test_dv_guidance_only_the_privacy_officer_sets_a_protection(
    handler_kenshin,
    suzuki,  # noqa: F811
):
    with pytest.raises(PermissionDenied) as refused:
        _protect(suzuki, handler_kenshin)
    assert "個人情報取扱責任者が行います" in str(refused.value)
    assert not Protection.objects.exists()


def test_dv_guidance_officer_sets_a_protection_on_the_admin_page(officer, suzuki):  # noqa: F811
    response = officer.post(
        reverse("admin:records_protection_add"),
        {
            "card": "５００１－１－００",  # as typed, full-width
            "basis": "stalking",
            "since": "2026-04-01",
            "until": "",
            "persons": PERPETRATOR,
        },
    )
    assert response.status_code == 302
    protection = Protection.objects.get()
    assert (protection.member, protection.basis, protection.created_by) == (
        suzuki,
        "stalking",
        officer.user,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"basis": ""}, "この項目は必須です。"),
        ({"basis": "revenge"}, "正しく選択してください。"),
        ({"persons": ""}, "この項目は必須です。"),
        ({"persons": "あ" * 501}, "500 文字以下"),
        ({"since": "昨日"}, "日付を正しく入力してください。"),
        ({"until": "2026-03-31"}, "終了日は開始日以後の日にしてください。"),
        ({"card": ""}, "この項目は必須です。"),
        ({"card": "5001-1"}, "ハイフンで区切って入力してください"),
        ({"card": "鈴木一郎"}, "ハイフンで区切って入力してください"),
        ({"card": "9999-9-99"}, "記号・番号・枝番「9999-9-99」の加入者はいません"),
        ({"card": "5001-1-00\x00"}, "errorlist"),  # Django's own message
        ({"card": "1" * 41}, "40 文字以下"),
    ],
)
def test_dv_guidance_protection_form_refuses_bad_input(
    officer,
    suzuki,  # noqa: F811
    changes,
    message,
):
    data = {
        "card": "5001-1-00",
        "basis": "dv",
        "since": "2026-04-01",
        "until": "",
        "persons": PERPETRATOR,
        **changes,
    }
    page = officer.post(reverse("admin:records_protection_add"), data).content.decode()
    assert message in page
    assert not Protection.objects.exists()


def test_dv_guidance_lifting_asks_for_the_last_day(officer, suzuki):  # noqa: F811
    protection = _protect(suzuki, officer.user)
    url = reverse("admin:records_protection_change", args=[protection.pk])
    page = officer.post(url, {"until": ""}).content.decode()
    assert "解除するときは終了日（措置の最終日）を入力してください。" in page
    assert officer.post(url, {"until": "2026-09-30"}).status_code == 302
    protection.refresh_from_db()
    assert (protection.until, protection.persons) == (datetime.date(2026, 9, 30), "鈴木剛(夫)")


def test_dv_guidance_handler_cannot_open_the_protection_pages(handler):  # noqa: F811
    assert handler.get(reverse("admin:records_protection_add")).status_code == 403


def test_dv_guidance_banner_on_the_member_page(handler, suzuki, privacy_officer):  # noqa: F811
    url = reverse("admin:records_member_change", args=[suzuki.pk])
    assert "保護措置あり" not in handler.get(url).content.decode()
    _protect(suzuki, privacy_officer)
    page = handler.get(url).content.decode()
    assert "保護措置あり（配偶者等からの暴力（DV）、2026年4月1日から）" in page
    assert "開示・送付しません" in page
    assert "鈴木剛" not in page  # the names are the officer's, on the protection's own page


def test_dv_guidance_protected_member_reads_flagged_in_access_review(
    handler,  # noqa: F811
    suzuki,  # noqa: F811
    kenshin_and_receipt,
    privacy_officer,
    sign_in,
):
    _protect(suzuki, privacy_officer)
    handler.get(reverse("admin:records_member_change", args=[suzuki.pk]))
    other = kenshin_and_receipt["checked"]
    handler.get(reverse("admin:records_member_change", args=[other.pk]))
    flagged = Event.objects.filter(action=Action.RECORDS_ACCESS_READ, details__has_key="protected")
    assert [e.details["protected"] for e in flagged] == [[suzuki.pk]]
    auditor = make_staff("kanji", Role.AUDITOR)
    client = Client()
    sign_in_verified(client, auditor)
    page = client.get(reverse("reports:access")).content.decode()
    assert "保護措置（DV等）のある加入者の閲覧（1回）" in page
    assert f"<td>{suzuki.pk}</td>" in page
    assert "handler_kenshin" in page


def test_dv_guidance_protection_goes_with_the_members_erasure(privacy_officer, register, superuser):
    from .factories import MemberFactory

    member = MemberFactory()
    _protect(member, privacy_officer)
    with gate.ledger():
        member_erase(member=member, by=superuser, reason_ref="260401-000001")
    assert not Protection.objects.exists()


def test_dv_guidance_the_officer_reaches_the_register_by_role_and_each_read_is_audited(
    officer,
    suzuki,  # noqa: F811
):
    # No scope, no purpose chosen: the menu leads there and the list opens.
    assert reverse("admin:records_protection_changelist") in officer.get("/admin/").text
    _protect(suzuki, officer.user)

    listed = officer.get(reverse("admin:records_protection_changelist"))

    assert listed.status_code == 200 and "5001-1-00" in listed.text
    read = Event.objects.filter(action=Action.RECORDS_ACCESS_READ).latest("seq")
    assert read.actor_id == officer.user.pk
    assert read.details["duty"] == gate.PROTECTIONS and read.details["members"] == [suzuki.pk]
    assert read.details["categories"] == [] and read.details["protected"] == [suzuki.pk]
    # The member found by 記号-番号-枝番 on the form is a read of that member, audited too.
    officer.post(reverse("admin:records_protection_add"), {"card": "5001-1-00"})
    found = Event.objects.filter(action=Action.RECORDS_ACCESS_READ).latest("seq")
    assert found.details["duty"] == gate.PROTECTIONS and found.details["members"] == [suzuki.pk]


def test_dv_guidance_the_officers_route_reads_no_record(bare_officer, suzuki):  # noqa: F811
    with gate.ledger():
        access = gate.open_protections(user=bare_officer)
        assert list(gate.records(access)) == []
        assert list(gate.members(access)) == [suzuki]


def test_dv_guidance_nobody_but_the_officer_takes_that_route(
    handler_kenshin,
    superuser,
    suzuki,  # noqa: F811
):
    for user in (handler_kenshin, superuser):
        with pytest.raises(gate.NotTheOfficer), gate.ledger():
            gate.open_protections(user=user)
    refused = Event.objects.filter(action=Action.RECORDS_ACCESS_REFUSED)
    assert [e.details["reason"] for e in refused] == ["not_officer", "not_officer"]
    client = Client()
    sign_in_verified(client, superuser)
    page = client.get(reverse("admin:records_protection_changelist"))
    assert page.status_code == 403 and "個人情報取扱責任者が開きます" in page.text
    assert reverse("admin:records_protection_changelist") not in client.get("/admin/").text


def test_dv_guidance_an_officer_without_a_pledge_is_refused_as_for_records(
    privacy_officer,
    suzuki,  # noqa: F811
):
    with pytest.raises(gate.StandingLapsed), gate.ledger():
        gate.open_protections(user=privacy_officer)
