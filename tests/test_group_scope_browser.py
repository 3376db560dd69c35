"""A group's scope in Chromium: one privacy officer opens 担当の割当て, goes to the groups, grants
レセプト to the 給付係 and is told it waits; a second officer approves it; the clerk in the group
then holds it, and the scope register says through which group. At a desktop's and a phone's
width, screenshots of each step in var/screenshots/."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from audit.models import Event
from audit.vocabulary import Action
from safeguards.models import Approval
from safeguards.roles import Role
from safeguards.scopes import category_ids_for
from safeguards.testing import in_good_standing, make_staff
from tests.browser import fits
from tests.test_approval_browser import SCREENS, _page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]


@pytest.mark.parametrize("screen", SCREENS)
def test_one_officer_grants_a_group_a_scope_and_a_second_approves_it(
    screen, chromium, live_server, register, privacy_officer, screenshots
):
    width, height = SCREENS[screen]
    benefits = Group.objects.create(name="給付係")
    clerk = in_good_standing(make_staff("clerk", Role.HANDLER))
    clerk.groups.add(benefits)
    second = make_staff("second_officer", Role.PRIVACY_OFFICER)
    receipts = register["receipts"]

    def shot(page, step: str):
        page.screenshot(path=screenshots / f"group-scope-{screen}-{step}.png", full_page=True)

    first = _page(chromium, live_server, privacy_officer, width, height)
    first.goto(f"{live_server.url}/admin/")
    first.get_by_role("link", name="担当の割当てを開く").click()
    first.get_by_role("link", name="グループの担当の割当て").click()
    row = first.get_by_role("row").filter(has_text="給付係")
    expect(row).to_contain_text("clerk")
    fits(first)
    shot(first, "1-groups")
    row.get_by_role("link", name="担当を変更").click()
    expect(first.get_by_role("heading", name="グループの担当の割当て：給付係")).to_be_visible()
    first.get_by_label(receipts.name).check()
    fits(first)
    shot(first, "2-group-page")
    first.get_by_role("button", name="保存").click()

    warning = first.locator(".messagelist .warning").filter(has_text="承認の後に反映されます")
    expect(warning).to_contain_text(
        "グループ「給付係」 に類型「レセプトに関する情報」の担当を割り当てる"
    )
    shot(first, "3-asked")
    assert category_ids_for(clerk) == set()
    approval = Approval.objects.get(change__group=benefits.pk)

    page = _page(chromium, live_server, second, width, height)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="承認待ちの変更が1件あります（二者確認）。").click()
    page.get_by_role("link", name=approval.description).click()
    approve = page.get_by_role("button", name="承認する")
    approve.scroll_into_view_if_needed()
    approve.click()
    expect(page.locator(".messagelist .success")).to_contain_text("承認済みにしました")
    shot(page, "4-approved")
    assert category_ids_for(clerk) == {receipts.pk}
    granted = Event.objects.get(action=Action.SAFEGUARDS_SCOPE_GRANTED)
    assert (granted.actor_id, granted.details) == (second.pk, {"group": benefits.pk})

    # The register, as printed for the file: the group, what it holds and who holds it so.
    page.goto(f"{live_server.url}/admin/safeguards/categoryuserobjectpermission/register/")
    group_row = (
        page.locator("table.scope-register").nth(1).get_by_role("row").filter(has_text="給付係")
    )
    expect(group_row).to_contain_text(receipts.name)
    expect(group_row).to_contain_text("clerk")
    fits(page)
    shot(page, "5-register")

    # The clerk's own screen lists the group's grant apart from their own boxes.
    page.goto(f"{live_server.url}/admin/safeguards/categoryuserobjectpermission/user/{clerk.pk}/")
    expect(page.get_by_text("給付係：レセプトに関する情報")).to_be_visible()
    expect(page.get_by_label(receipts.name)).not_to_be_checked()
    fits(page)
    shot(page, "6-clerk-screen")
