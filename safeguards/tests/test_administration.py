"""Administration audited and separated: every change of an account, a group, a permission or
a token is an event; what widens someone's access waits for a second privacy officer; nobody
approves a change for themself; tokens expire and die with the staff status."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from guardian.utils import get_group_obj_perms_model
from rest_framework.authtoken.models import Token

from audit.models import Event
from audit.vocabulary import Action
from purposes.models import Category
from safeguards import approvals
from safeguards.models import Approval
from safeguards.roles import Role
from safeguards.scopes import category_ids_for, handle_permission
from safeguards.testing import in_good_standing, make_staff, sign_in_verified

pytestmark = pytest.mark.django_db
RECEIPTS_PURPOSE = "benefit-review-and-payment"


def _since(seq: int, *actions) -> list[Event]:
    rows = Event.objects.filter(seq__gt=seq).order_by("seq")
    return list(rows.filter(action__in=actions) if actions else rows)


def _last() -> int:
    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture
def sysadmin(db):
    return make_staff("sysadmin", Role.SYSTEM_ADMINISTRATOR)


@pytest.fixture
def second_officer(db):
    return make_staff("second_officer", Role.PRIVACY_OFFICER)


@pytest.fixture
def receipts_group(register):
    """A group whose members handle レセプト (a category granted to the group)."""
    group = Group.objects.create(name="レセプト係")
    get_group_obj_perms_model(Category).objects.create(
        group=group, permission=handle_permission(Category), content_object=register["receipts"]
    )
    return group


def _user_form(user, **changes) -> dict:
    """The user admin's change form as a browser posts it, with `changes`."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [p.pk for p in user.user_permissions.all()],
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.time().strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    } | changes
    return {
        key: ("on" if value is True else value) for key, value in data.items() if value is not False
    }


def _api(client, user, url: str):
    token, _created = Token.objects.get_or_create(user=user)
    return client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}")


def test_a_system_administrator_adding_a_no_scope_handler_to_a_receipts_group_is_left_pending(
    client, sysadmin, outsider, receipts_group, kenshin_and_receipt, privacy_officer
):
    api = f"/api/v1/records/?purpose={RECEIPTS_PURPOSE}"
    assert _api(client, outsider, api).status_code == 403
    sign_in_verified(client, sysadmin)
    seq = _last()

    response = client.post(
        f"/admin/auth/user/{outsider.pk}/change/",
        _user_form(
            outsider, groups=[*outsider.groups.values_list("pk", flat=True), receipts_group.pk]
        ),
        follow=True,
    )

    assert response.status_code == 200
    assert "別の個人情報取扱責任者の承認の後に反映されます" in response.content.decode()
    assert not outsider.groups.filter(pk=receipts_group.pk).exists()
    approval = Approval.objects.get(subject=outsider, state=Approval.State.PENDING)
    assert approval.change == {"op": "add_group", "user": outsider.pk, "group": receipts_group.pk}
    [asked] = _since(seq, Action.SAFEGUARDS_APPROVAL_REQUESTED)
    assert asked.actor_id == sysadmin.pk
    assert asked.details == {
        "kind": "role_change",
        "op": "add_group",
        "user": outsider.pk,
        "group": receipts_group.pk,
        "subject": outsider.pk,
    }
    client.logout()
    assert _api(client, outsider, api).status_code == 403

    # The system administrator is no privacy officer: it may not approve its own request.
    with pytest.raises(approvals.PermissionDenied):
        approvals.approve(approval=approval, by=sysadmin)
    approvals.approve(approval=approval, by=in_good_standing(privacy_officer))

    assert outsider.groups.filter(pk=receipts_group.pk).exists()
    [joined] = _since(seq, Action.SAFEGUARDS_MEMBERSHIP_ADDED)
    assert joined.actor_id == privacy_officer.pk
    assert joined.details == {"user": outsider.pk, "groups": [receipts_group.pk]}
    assert _since(seq, Action.SAFEGUARDS_APPROVAL_APPROVED)[0].actor_id == privacy_officer.pk
    response = _api(client, outsider, api)
    assert response.status_code == 200 and response.json()["count"] == 1


def test_a_system_administrator_ticking_its_own_is_superuser_is_left_pending(
    client, sysadmin, second_officer
):
    sign_in_verified(client, sysadmin)
    seq = _last()

    response = client.post(
        f"/admin/auth/user/{sysadmin.pk}/change/", _user_form(sysadmin, is_superuser=True)
    )

    assert response.status_code == 302
    sysadmin.refresh_from_db()
    assert not sysadmin.is_superuser
    assert client.get("/reports/").status_code == 403
    approval = Approval.objects.get(subject=sysadmin)
    assert approval.get_kind_display() == "役割・権限の付与"
    assert (
        "sysadmin をスーパーユーザーにする"
        in client.get(f"/admin/auth/user/{sysadmin.pk}/change/").content.decode()
    )
    assert [e.action for e in _since(seq)] == [Action.SAFEGUARDS_APPROVAL_REQUESTED]

    approvals.approve(approval=approval, by=second_officer)

    sysadmin.refresh_from_db()
    assert sysadmin.is_superuser
    [changed] = _since(seq, Action.SAFEGUARDS_USER_CHANGED)
    assert changed.details == {"fields": ["is_superuser"], "is_superuser": True}
    assert changed.actor_id == second_officer.pk


def test_a_system_administrator_joining_the_privacy_officers_is_left_pending(
    client, sysadmin, privacy_officer
):
    officers = Group.objects.get(name=Role.PRIVACY_OFFICER)
    sign_in_verified(client, sysadmin)
    seq = _last()

    client.post(
        f"/admin/auth/user/{sysadmin.pk}/change/",
        _user_form(sysadmin, groups=[*sysadmin.groups.values_list("pk", flat=True), officers.pk]),
    )

    assert not sysadmin.groups.filter(pk=officers.pk).exists()
    assert client.get("/reports/").status_code == 403
    approval = Approval.objects.get(subject=sysadmin)
    assert [e.action for e in _since(seq)] == [Action.SAFEGUARDS_APPROVAL_REQUESTED]
    # Another officer rejects it; the rejection is an event and nothing changes.
    approvals.reject(approval=approval, by=privacy_officer)
    assert not sysadmin.groups.filter(pk=officers.pk).exists()
    [rejected] = _since(seq, Action.SAFEGUARDS_APPROVAL_REJECTED)
    assert rejected.actor_id == privacy_officer.pk


def test_an_officer_may_not_approve_a_change_they_asked_for_or_one_for_themself(
    privacy_officer, second_officer, register
):
    asked = approvals.ask(
        kind=approvals.Kind.SCOPE_GRANT,
        change={"op": "grant_scope", "user": privacy_officer.pk, "category": 1},
        description="x",
        subject=privacy_officer,
        by=second_officer,
    )
    for officer, words in (
        (second_officer, "依頼した本人は承認・却下できません"),
        (privacy_officer, "自分自身に関わる変更は承認・却下できません"),
    ):
        with pytest.raises(approvals.PermissionDenied, match=words):
            approvals.approve(approval=asked, by=officer)
    assert Approval.objects.get(pk=asked.pk).state == Approval.State.PENDING


def test_nobody_grants_a_scope_to_themself(privacy_officer, register):
    from safeguards.scopes import grant_scope

    with pytest.raises(approvals.PermissionDenied, match="自分自身に担当を割り当てる"):
        grant_scope(user=privacy_officer, category=register["receipts"], by=privacy_officer)
    assert category_ids_for(privacy_officer) == set()


def test_the_scope_page_files_a_grant_and_a_second_officer_approves_it_on_the_approval_page(
    client, privacy_officer, second_officer, outsider, register
):
    receipts = register["receipts"]
    sign_in_verified(client, privacy_officer)
    seq = _last()

    client.post(
        f"/admin/safeguards/categoryuserobjectpermission/user/{outsider.pk}/",
        {"categories": [receipts.pk]},
    )

    assert category_ids_for(outsider) == set()
    approval = Approval.objects.get(subject=outsider)
    page = client.get(f"/admin/safeguards/categoryuserobjectpermission/user/{outsider.pk}/")
    assert "承認待ちの割当て" in page.content.decode()
    assert approval.description in page.content.decode()
    # The officer who asked sees why they cannot decide, and deciding is refused.
    page = client.get(f"/admin/safeguards/approval/{approval.pk}/change/").content.decode()
    assert "依頼した本人は承認・却下できません" in page and "承認する" not in page
    client.post(f"/admin/safeguards/approval/{approval.pk}/decide/", {"decision": "approve"})
    assert category_ids_for(outsider) == set()

    sign_in_verified(client, second_officer)
    page = client.get("/admin/safeguards/approval/").content.decode()
    assert "承認待ち" in page and approval.description in page
    page = client.get(f"/admin/safeguards/approval/{approval.pk}/change/").content.decode()
    assert "承認する" in page and "却下する" in page
    response = client.post(
        f"/admin/safeguards/approval/{approval.pk}/decide/", {"decision": "approve"}, follow=True
    )

    assert "承認済みにしました" in response.content.decode()
    assert category_ids_for(outsider) == {receipts.pk}
    events = _since(seq)
    assert [e.action for e in events] == [
        Action.SAFEGUARDS_APPROVAL_REQUESTED,
        Action.SAFEGUARDS_APPROVAL_APPROVED,
        Action.SAFEGUARDS_SCOPE_GRANTED,
    ]
    assert [e.actor_id for e in events] == [privacy_officer.pk, second_officer.pk] * 1 + [
        second_officer.pk
    ]


def test_a_decision_is_refused_to_anyone_but_a_privacy_officer(
    client, sysadmin, auditor, outsider, privacy_officer
):
    approval = approvals.ask(
        kind=approvals.Kind.ROLE_CHANGE,
        change={"op": "set_superuser", "user": outsider.pk},
        description="outsider をスーパーユーザーにする",
        subject=outsider,
        by=privacy_officer,
    )
    url = f"/admin/safeguards/approval/{approval.pk}/decide/"
    for user, status in ((sysadmin, 302), (auditor, 302), (outsider, 403)):
        sign_in_verified(client, user)
        response = client.post(url, {"decision": "approve"}, follow=status == 302)
        if status == 302:
            assert "承認・却下できるのは個人情報取扱責任者です" in response.content.decode()
        else:
            assert response.status_code == 403
    assert Approval.objects.get(pk=approval.pk).state == Approval.State.PENDING
    outsider.refresh_from_db()
    assert not outsider.is_superuser


def test_each_account_group_and_permission_change_is_an_event_without_an_address(
    client, sysadmin, outsider, second_officer
):
    duty = Group.objects.create(name="当番")
    sign_in_verified(client, sysadmin)
    seq = _last()
    handlers = Group.objects.get(name=Role.HANDLER)

    client.post(
        f"/admin/auth/user/{outsider.pk}/change/",
        _user_form(outsider, email="new.address@example.org", groups=[]),
    )
    view_member = Permission.objects.get(codename="view_member")
    client.post(
        f"/admin/auth/group/{duty.pk}/change/",
        {"name": "受付当番", "permissions": [view_member.pk]},
    )
    assert not duty.permissions.exists()  # a permission added waits for a second officer
    approvals.approve(approval=Approval.objects.get(change__group=duty.pk), by=second_officer)

    events = _since(seq)
    assert [(e.action, e.details) for e in events] == [
        (Action.SAFEGUARDS_USER_CHANGED, {"fields": ["email"]}),
        (Action.SAFEGUARDS_MEMBERSHIP_REMOVED, {"user": outsider.pk, "groups": [handlers.pk]}),
        (Action.SAFEGUARDS_GROUP_CHANGED, {"group": duty.pk}),
        (
            Action.SAFEGUARDS_APPROVAL_REQUESTED,
            {
                "kind": "role_change",
                "op": "add_group_permission",
                "group": duty.pk,
                "permission": view_member.pk,
                "subject": None,
            },
        ),
        (
            Action.SAFEGUARDS_APPROVAL_APPROVED,
            {
                "kind": "role_change",
                "op": "add_group_permission",
                "group": duty.pk,
                "permission": view_member.pk,
                "subject": None,
            },
        ),
        (
            Action.SAFEGUARDS_GROUPPERMISSION_ADDED,
            {"group": duty.pk, "permissions": ["records.view_member"]},
        ),
    ]
    assert [e.actor_id for e in events] == [sysadmin.pk] * 4 + [second_officer.pk] * 2
    assert all("@" not in str(e.details) for e in events)


# --- API tokens -----------------------------------------------------------------------


def test_a_token_works_until_it_expires_through_the_real_api(client, outsider, settings):
    settings.API_TOKEN_DAYS = 90
    token = Token.objects.create(user=outsider)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/v1/purposes/", **auth).status_code == 200

    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - datetime.timedelta(days=90, seconds=1)
    )
    response = client.get("/api/v1/purposes/", **auth)

    assert response.status_code == 401
    assert "有効期限切れ" in response.json()["detail"]
    settings.API_TOKEN_DAYS = 120
    assert client.get("/api/v1/purposes/", **auth).status_code == 200


@pytest.mark.parametrize("flag", ["is_staff", "is_active"])
def test_a_token_dies_with_the_staff_status_at_once(client, sysadmin, outsider, flag):
    token = Token.objects.create(user=outsider)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/v1/purposes/", **auth).status_code == 200
    admin = client.__class__()
    sign_in_verified(admin, sysadmin)
    seq = _last()

    admin.post(f"/admin/auth/user/{outsider.pk}/change/", _user_form(outsider, **{flag: False}))

    assert client.get("/api/v1/purposes/", **auth).status_code == 401
    assert not Token.objects.filter(user=outsider).exists()
    changed, revoked = _since(seq, Action.SAFEGUARDS_USER_CHANGED, Action.SAFEGUARDS_TOKEN_REVOKED)
    assert changed.details == {"fields": [flag], flag: False}
    assert revoked.details == {"user": outsider.pk} and revoked.actor_id == sysadmin.pk


def test_a_token_of_someone_no_longer_staff_is_refused_even_if_its_row_is_left(client, outsider):
    token = Token.objects.create(user=outsider)
    type(outsider).objects.filter(pk=outsider.pk).update(is_staff=False)  # no signal runs

    response = client.get("/api/v1/purposes/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 401


def test_tokens_are_issued_listed_and_revoked_in_the_admin_in_japanese(
    client, sysadmin, outsider, privacy_officer
):
    sign_in_verified(client, sysadmin)
    seq = _last()

    page = client.post("/admin/safeguards/apitoken/add/", {"user": outsider.pk})

    token = Token.objects.get(user=outsider)
    html = page.content.decode()
    assert "APIトークンを発行しました" in html and token.key in html and "有効期限" in html
    listing = client.get("/admin/safeguards/apitoken/").content.decode()
    assert token.key not in listing
    for words in (
        "APIトークン",
        "職員",
        "発行日時",
        "有効期限",
        "状態",
        "有効",
        "選択したトークンを失効させる",
    ):
        assert words in listing
    [issued] = _since(seq, Action.SAFEGUARDS_TOKEN_CREATED)
    assert issued.details == {"user": outsider.pk} and token.key not in str(issued.target_id)

    sign_in_verified(client, privacy_officer)
    listing = client.get("/admin/safeguards/apitoken/").content.decode()
    assert f'value="{outsider.pk}"' in listing and token.key not in listing
    response = client.post(
        "/admin/safeguards/apitoken/",
        {"action": "revoke", "_selected_action": [outsider.pk], "index": 0},
        follow=True,
    )

    assert "1 件のトークンを失効させました" in response.content.decode()

    assert not Token.objects.filter(user=outsider).exists()
    [revoked] = _since(seq, Action.SAFEGUARDS_TOKEN_REVOKED)
    assert revoked.actor_id == privacy_officer.pk


def test_an_expired_token_reads_so_in_the_list(client, sysadmin, outsider):
    token = Token.objects.create(user=outsider)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=365))
    sign_in_verified(client, sysadmin)
    assert "期限切れ" in client.get("/admin/safeguards/apitoken/").content.decode()


def test_a_token_cannot_be_issued_to_someone_not_staff(client, sysadmin, outsider):
    outsider.is_staff = False
    outsider.save()
    sign_in_verified(client, sysadmin)
    page = client.post("/admin/safeguards/apitoken/add/", {"user": outsider.pk})
    assert page.status_code == 200 and "正しく選択してください" in page.content.decode()
    assert not Token.objects.filter(user=outsider).exists()


# --- The purpose picker ---------------------------------------------------------------


def test_the_purpose_picker_refusing_a_forbidden_purpose_writes_an_access_refused_event(
    client, handler_kenshin
):
    sign_in_verified(client, handler_kenshin)
    seq = _last()

    response = client.post("/admin/records/record/purpose/", {"purpose": RECEIPTS_PURPOSE})

    assert response.status_code == 200 and "利用目的" in response.content.decode()
    [refused] = _since(seq, Action.RECORDS_ACCESS_REFUSED)
    assert refused.actor_id == handler_kenshin.pk
    assert refused.purpose == RECEIPTS_PURPOSE
    assert refused.details == {"surface": "admin", "reason": "purpose_not_permitted"}
