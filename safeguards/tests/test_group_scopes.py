"""Scopes granted to a group (a 係): the privacy officer grants a category or a desk to a group
on its own screen, a second officer approves it as for one person, and every member of the
group then holds it; a withdrawal is immediate; each step is an event naming the group's id.
The scope register says which group holds what, for whom; a person's screen lists what they
hold through a group apart from their own grants."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.html import escape

from audit.models import Event
from audit.vocabulary import Action
from safeguards import approvals
from safeguards.models import Approval, Desk
from safeguards.roles import Role
from safeguards.scopes import (
    ask_scope_grant,
    category_ids_for,
    desk_codes_for,
    grant_scope,
    withdraw_scope,
)
from safeguards.testing import in_good_standing, make_staff

pytestmark = pytest.mark.django_db
GROUPS = "/admin/safeguards/categoryuserobjectpermission/group/"
REGISTER = "/admin/safeguards/categoryuserobjectpermission/register/"


def _since(seq: int) -> list[Event]:
    return list(Event.objects.filter(seq__gt=seq).order_by("seq"))


def _last() -> int:
    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture
def second_officer(db):
    return make_staff("second_officer", Role.PRIVACY_OFFICER)


@pytest.fixture
def benefits(db):
    """The 給付係 with two clerks and no scope yet."""
    group = Group.objects.create(name="給付係")
    for name in ("clerk_a", "clerk_b"):
        in_good_standing(make_staff(name, Role.HANDLER)).groups.add(group)
    return group


def _clerks(group):
    return list(group.user_set.order_by("username"))


def test_the_group_screen_files_a_grant_and_a_second_officer_approves_it_for_every_member(
    sign_in, privacy_officer, second_officer, benefits, register
):
    receipts = register["receipts"]
    client = sign_in(privacy_officer)
    seq = _last()

    response = client.post(
        f"{GROUPS}{benefits.pk}/", {"categories": [receipts.pk], "desks": ["complaints"]}
    )

    assert response.status_code == 302
    assert all(category_ids_for(clerk) == set() for clerk in _clerks(benefits))
    asked = Approval.objects.filter(change__group=benefits.pk).order_by("pk")
    assert [a.description for a in asked] == [
        "グループ「給付係」 に類型「レセプトに関する情報」の担当を割り当てる",
        "グループ「給付係」 に窓口「苦情相談窓口」の担当を割り当てる",
    ]
    page = client.get(f"{GROUPS}{benefits.pk}/").content.decode()
    assert "承認待ちの割当て" in page and asked[0].description in page
    assert "clerk_a" in page and "clerk_b" in page  # the members who would hold it

    for approval in asked:
        approvals.approve(approval=approval, by=second_officer)

    for clerk in _clerks(benefits):
        assert category_ids_for(clerk) == {receipts.pk}
        assert desk_codes_for(clerk) == {"complaints"}
    events = [(e.action, e.actor_id, e.target_type, e.details) for e in _since(seq)]
    granted = [e for e in events if e[0] == Action.SAFEGUARDS_SCOPE_GRANTED]
    assert granted == [
        (
            Action.SAFEGUARDS_SCOPE_GRANTED,
            second_officer.pk,
            "purposes.category",
            {"group": benefits.pk},
        ),
        (
            Action.SAFEGUARDS_SCOPE_GRANTED,
            second_officer.pk,
            "safeguards.desk",
            {"group": benefits.pk},
        ),
    ]
    assert [e[0] for e in events].count(Action.SAFEGUARDS_APPROVAL_REQUESTED) == 2


def test_unticking_on_the_group_screen_withdraws_at_once_and_is_audited(
    sign_in, privacy_officer, second_officer, benefits, register
):
    receipts = register["receipts"]
    grant_scope(group=benefits, category=receipts, by=second_officer)
    grant_scope(group=benefits, desk=Desk.of("requests"), by=second_officer)
    client = sign_in(privacy_officer)
    page = client.get(f"{GROUPS}{benefits.pk}/").content.decode()
    assert f'value="{receipts.pk}" id="id_categories_' in page and "checked" in page
    seq = _last()

    response = client.post(f"{GROUPS}{benefits.pk}/", {"categories": []}, follow=True)

    assert "グループ「給付係」 の担当を更新しました。" in response.content.decode()
    assert all(
        category_ids_for(c) == set() and desk_codes_for(c) == set() for c in _clerks(benefits)
    )
    assert [(e.action, e.actor_id, e.details) for e in _since(seq)] == [
        (Action.SAFEGUARDS_SCOPE_WITHDRAWN, privacy_officer.pk, {"group": benefits.pk}),
        (Action.SAFEGUARDS_SCOPE_WITHDRAWN, privacy_officer.pk, {"group": benefits.pk}),
    ]


def test_nobody_grants_a_scope_to_a_group_they_belong_to_nor_approves_one(
    privacy_officer, second_officer, benefits, register
):
    second_officer.groups.add(benefits)
    with pytest.raises(PermissionDenied, match="自分が属するグループに担当を割り当てる"):
        grant_scope(group=benefits, category=register["receipts"], by=second_officer)
    asked = ask_scope_grant(group=benefits, category=register["receipts"], by=privacy_officer)

    with pytest.raises(PermissionDenied, match="自分が属するグループへの担当の割当ては承認"):
        approvals.approve(approval=asked, by=second_officer)

    assert Approval.objects.get(pk=asked.pk).state == Approval.State.PENDING
    assert category_ids_for(_clerks(benefits)[0]) == set()


def test_a_my_number_category_is_refused_to_a_group_beside_the_field(
    sign_in, privacy_officer, second_officer, benefits, register
):
    eligibility = register["eligibility"]  # 資格, flagged 個人番号を含む
    assert eligibility.includes_my_number
    seq = _last()

    response = sign_in(privacy_officer).post(
        f"{GROUPS}{benefits.pk}/", {"categories": [eligibility.pk]}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["categories"]
    assert "グループ（給付係）には割り当てられません" in errors[0]
    assert not Approval.objects.exists() and _since(seq) == []
    # And again where no form stands in front of it.
    with pytest.raises(PermissionDenied, match="個人番号を含むため"):
        grant_scope(group=benefits, category=eligibility, by=second_officer)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"categories": ["999999"]}, "categories"),
        ({"categories": ["レセプト"]}, "categories"),
        ({"desks": ["cashier"]}, "desks"),
        ({"desks": ["<script>"]}, "desks"),
    ],
)
def test_bad_input_on_the_group_screen_is_refused_beside_the_field(
    sign_in, privacy_officer, benefits, register, data, field
):
    seq = _last()

    response = sign_in(privacy_officer).post(f"{GROUPS}{benefits.pk}/", data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    page = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{escape(errors[field][0])}' in page
    assert "<script>" not in page
    assert not Approval.objects.exists() and _since(seq) == []


def test_a_group_that_does_not_exist_is_a_404(sign_in, privacy_officer):
    assert sign_in(privacy_officer).get(f"{GROUPS}999999/").status_code == 404


@pytest.mark.parametrize("who", ["outsider", "auditor"])
def test_only_the_privacy_officer_changes_a_groups_scope(request, sign_in, who, benefits, register):
    client = sign_in(request.getfixturevalue(who))
    seq = _last()

    for url in (GROUPS, f"{GROUPS}{benefits.pk}/"):
        assert client.get(url).status_code == 403
    response = client.post(f"{GROUPS}{benefits.pk}/", {"categories": [register["receipts"].pk]})

    assert response.status_code == 403
    assert not Approval.objects.exists() and _since(seq) == []


def test_the_groups_list_shows_each_groups_scope_and_members(
    sign_in, privacy_officer, second_officer, benefits, register
):
    grant_scope(group=benefits, category=register["receipts"], by=second_officer)

    page = sign_in(privacy_officer).get(GROUPS).content.decode()

    row = page[page.index("<td>給付係</td>") :]
    row = row[: row.index("</tr>")]
    assert "レセプトに関する情報" in row and "clerk_a、clerk_b" in row
    assert f'href="{GROUPS}{benefits.pk}/"' in row
    # The roles are groups too, listed with what they hold (nothing here).
    assert "<td>取扱担当者</td>" in page


def test_a_persons_screen_ticks_their_own_grants_and_lists_the_groups_apart(
    sign_in, privacy_officer, second_officer, benefits, register
):
    clerk = _clerks(benefits)[0]
    grant_scope(group=benefits, category=register["receipts"], by=second_officer)
    grant_scope(user=clerk, category=register["health-checks"], by=second_officer)

    response = sign_in(privacy_officer).get(
        f"/admin/safeguards/categoryuserobjectpermission/user/{clerk.pk}/"
    )

    # Before, the group's category was ticked here, and unticking it withdrew nothing.
    assert response.context["form"].initial["categories"] == [register["health-checks"].pk]
    page = response.content.decode()
    assert "グループによる担当" in page
    assert f'<a href="{GROUPS}{benefits.pk}/">給付係</a>：レセプトに関する情報' in page


def test_the_scope_register_says_which_group_holds_what_for_whom(
    sign_in, auditor, second_officer, benefits, register
):
    grant_scope(group=benefits, category=register["receipts"], by=second_officer)
    grant_scope(group=benefits, desk=Desk.of("requests"), by=second_officer)
    Group.objects.create(name="空の係")  # holds nothing: not in the register

    page = sign_in(auditor).get(REGISTER).content.decode()

    groups = page[page.index("グループによる担当") :]
    assert "<td>給付係</td>" in groups and "空の係" not in groups
    row = groups[groups.index("<td>給付係</td>") :]
    row = row[: row.index("</tr>")]
    assert "レセプトに関する情報" in row and "開示等請求窓口" in row
    assert "clerk_a" in row and "clerk_b" in row


def test_withdrawing_from_a_group_leaves_a_members_own_grant(
    privacy_officer, second_officer, benefits, register
):
    clerk = _clerks(benefits)[0]
    receipts = register["receipts"]
    grant_scope(group=benefits, category=receipts, by=second_officer)
    grant_scope(user=clerk, category=receipts, by=second_officer)

    assert withdraw_scope(group=benefits, category=receipts, by=privacy_officer)

    assert category_ids_for(clerk) == {receipts.pk}
    assert category_ids_for(_clerks(benefits)[1]) == set()
