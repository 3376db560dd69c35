"""The desks (開示等請求窓口, 苦情相談窓口) are scopes like the categories: the privacy officer
grants and withdraws them on each person's scope page, each change an event, the scope
register shows them, and what a desk's filings hold opens only to its staff."""

import pytest

from audit.models import Event
from audit.vocabulary import Action
from complaints.tests.factories import ComplaintFactory
from safeguards import approvals
from safeguards.models import Approval, Desk
from safeguards.roles import Role
from safeguards.scopes import desk_codes_for
from safeguards.testing import in_good_standing, make_staff

pytestmark = pytest.mark.django_db
SCREEN = "/admin/safeguards/categoryuserobjectpermission/user/"
REGISTER = "/admin/safeguards/categoryuserobjectpermission/register/"


@pytest.fixture
def clerk(db):
    """A handler in good standing with no category and no desk."""
    return in_good_standing(make_staff("clerk", Role.HANDLER))


def test_the_officer_grants_and_withdraws_a_desk_each_change_audited(
    sign_in, privacy_officer, clerk
):
    client = sign_in(privacy_officer)
    complaint = ComplaintFactory()
    desk = Desk.of(Desk.Code.COMPLAINTS)

    client.post(f"{SCREEN}{clerk.pk}/", {"desks": ["complaints"]})

    # Four eyes: the grant waits for a second privacy officer.
    assert desk_codes_for(clerk) == set()
    second = make_staff("second_officer", Role.PRIVACY_OFFICER)
    approvals.approve(approval=Approval.objects.get(subject=clerk), by=second)

    assert desk_codes_for(clerk) == {"complaints"}
    granted = Event.objects.get(action=Action.SAFEGUARDS_SCOPE_GRANTED)
    assert (granted.target_type, granted.target_id) == ("safeguards.desk", str(desk.pk))
    assert granted.details == {"user": clerk.pk} and granted.actor_id == second.pk
    page = client.get(f"{SCREEN}{clerk.pk}/")
    assert "担当する窓口" in page.content.decode()
    assert page.context["form"].initial["desks"] == ["complaints"]

    clerk_client = sign_in(clerk)
    url = f"/admin/complaints/complaint/{complaint.pk}/change/"
    assert clerk_client.get(url).status_code == 200

    client = sign_in(privacy_officer)
    # Nothing ticked: as a browser posts the page, with its CSRF token only.
    client.post(f"{SCREEN}{clerk.pk}/", {"csrfmiddlewaretoken": "token"})

    assert desk_codes_for(clerk) == set()
    withdrawn = Event.objects.get(action=Action.SAFEGUARDS_SCOPE_WITHDRAWN)
    assert withdrawn.target_id == str(desk.pk)
    assert sign_in(clerk).get(url).status_code == 403


def test_the_register_shows_who_staffs_which_desk(sign_in, privacy_officer, clerk, superuser):
    from safeguards.scopes import grant_scope

    grant_scope(user=clerk, desk=Desk.of(Desk.Code.REQUESTS), by=superuser)

    page = sign_in(privacy_officer).get(REGISTER).content.decode()

    assert "担当する窓口" in page
    row = page[page.index("<td>clerk") :]
    assert "開示等請求窓口" in row[: row.index("</tr>")]
    officer = page[page.index("<td>privacy_officer") :]
    officer = officer[: officer.index("</tr>")]
    assert "開示等請求窓口（個人情報取扱責任者として）" in officer
    assert "苦情相談窓口（個人情報取扱責任者として）" in officer


def test_a_handler_may_not_grant_a_desk(clerk, outsider):
    from django.core.exceptions import PermissionDenied

    from safeguards.scopes import grant_scope

    with pytest.raises(PermissionDenied, match="個人情報取扱責任者"):
        grant_scope(user=clerk, desk=Desk.of(Desk.Code.REQUESTS), by=outsider)
    assert desk_codes_for(clerk) == set()


def test_a_desk_member_without_a_pledge_is_refused_until_one_is_on_file(sign_in, superuser):
    from safeguards.scopes import grant_scope

    lapsed = make_staff("lapsed", Role.HANDLER)  # on the desk, no pledge, no training
    grant_scope(user=lapsed, desk=Desk.of(Desk.Code.COMPLAINTS), by=superuser)
    complaint = ComplaintFactory()

    response = sign_in(lapsed).get(f"/admin/complaints/complaint/{complaint.pk}/change/")

    assert response.status_code == 403
    assert "秘密保持誓約書が登録されていない" in response.content.decode()
    refused = Event.objects.get(action=Action.RECORDS_ACCESS_REFUSED, actor_id=lapsed.pk)
    assert refused.details == {
        "surface": "admin",
        "reason": "standing_lapsed",
        "desk": "complaints",
    }
    assert not Event.objects.filter(action=Action.RECORDS_ACCESS_READ).exists()
