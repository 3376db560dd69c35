"""Four eyes in Chromium: one privacy officer asks for a scope (レセプト) for a handler on the
scope page, and is told it waits; a second officer is shown the waiting change on every page
(beside the warnings of a pending re-key and a pending key destruction), opens it and
approves it; the handler then holds the scope. At a desktop's and a phone's width,
screenshots of each step in var/screenshots/."""

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import Event
from audit.vocabulary import Action
from records.models import PendingKeyOperation
from records.tests.factories import MemberFactory
from safeguards.models import Approval
from safeguards.roles import Role
from safeguards.scopes import category_ids_for
from safeguards.testing import in_good_standing, make_staff, sign_in_verified
from tests.browser import fits

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}


def _page(chromium, live_server, user, width: int, height: int):
    """A browser signed in as `user` (password and authenticator, as `sign_in_verified`)."""
    client = Client()
    sign_in_verified(client, user)
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context.new_page()


@pytest.mark.parametrize("screen", SCREENS)
def test_one_officer_asks_for_a_scope_and_a_second_approves_it(
    screen, chromium, live_server, register, privacy_officer, screenshots
):
    width, height = SCREENS[screen]
    clerk = in_good_standing(make_staff("clerk", Role.HANDLER))
    second = make_staff("second_officer", Role.PRIVACY_OFFICER)
    receipts = register["receipts"]

    def shot(page, step: str):
        page.screenshot(path=screenshots / f"approval-{screen}-{step}.png", full_page=True)

    first = _page(chromium, live_server, privacy_officer, width, height)
    first.goto(f"{live_server.url}/admin/safeguards/categoryuserobjectpermission/user/{clerk.pk}/")
    first.get_by_label(receipts.name).check()
    shot(first, "1-scope-page")
    first.get_by_role("button", name="保存").click()

    warning = first.locator(".messagelist .warning").filter(has_text="承認の後に反映されます")
    expect(warning).to_be_visible()
    assert "clerk に類型「レセプトに関する情報」の担当を割り当てる" in warning.inner_text()
    shot(first, "2-asked")
    assert category_ids_for(clerk) == set()
    # The officer who asked is told they cannot decide it.
    approval = Approval.objects.get(subject=clerk)
    first.goto(f"{live_server.url}/admin/safeguards/approval/{approval.pk}/change/")
    expect(first.get_by_text("依頼した本人は承認・却下できません")).to_be_visible()
    expect(first.get_by_role("button", name="承認する")).to_have_count(0)
    shot(first, "3-not-for-the-asker")

    # A re-key after a partial erasure and the destruction of an erased member's key, left
    # pending by a key-store outage: shown beside it, one line each.
    PendingKeyOperation.objects.create(member_id=MemberFactory().pk, since=timezone.now())
    PendingKeyOperation.objects.create(
        member_id=10_001, kind=PendingKeyOperation.Kind.DESTROY, since=timezone.now()
    )
    page = _page(chromium, live_server, second, width, height)
    page.goto(f"{live_server.url}/admin/")
    banner = page.get_by_role("link", name="承認待ちの変更が1件あります（二者確認）。")
    expect(banner).to_be_visible()
    rekeys = page.locator(".messagelist .warning").filter(has_text="鍵の再生成が完了していない")
    expect(rekeys).to_be_visible()
    assert "加入者が1件あります" in rekeys.inner_text()
    destroys = page.locator(".messagelist .warning").filter(has_text="鍵の破棄が完了していない")
    expect(destroys).to_be_visible()
    assert "消去済みの加入者が1件あります" in destroys.inner_text()
    shot(page, "4-second-officer-index")
    banner.click()
    page.get_by_role("link", name=approval.description).click()
    approve = page.get_by_role("button", name="承認する")
    approve.scroll_into_view_if_needed()
    expect(approve).to_be_visible()
    expect(page.get_by_role("button", name="却下する")).to_be_visible()
    # The page never scrolls sideways.
    fits(page)
    shot(page, "5-approval-page")
    approve.click()

    done = page.locator(".messagelist .success")
    assert "承認済みにしました" in done.inner_text()
    shot(page, "6-approved")
    assert category_ids_for(clerk) == {receipts.pk}
    assert list(
        Event.objects.filter(
            action__in=[
                Action.SAFEGUARDS_APPROVAL_REQUESTED,
                Action.SAFEGUARDS_APPROVAL_APPROVED,
                Action.SAFEGUARDS_SCOPE_GRANTED,
            ]
        )
        .order_by("seq")
        .values_list("action", "actor_id")
    ) == [
        (Action.SAFEGUARDS_APPROVAL_REQUESTED, privacy_officer.pk),
        (Action.SAFEGUARDS_APPROVAL_APPROVED, second.pk),
        (Action.SAFEGUARDS_SCOPE_GRANTED, second.pk),
    ]
