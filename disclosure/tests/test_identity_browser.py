"""The 照合 screen with a name that is not the register's, in Chromium at a desktop's 1,280 × 800
and a phone's 390 × 844: the difference is shown next to both values, the match is refused
until the officer ticks that the identity document was checked, then it goes through."""

import pytest
from playwright.sync_api import expect

from disclosure import letters
from disclosure.models import Letter, Request
from records.tests.factories import MemberFactory, RecordFactory
from tests.browser import fits

from .factories import RequestFactory
from .test_officer_browser import SHOTS, roles  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]


@pytest.fixture
def filed(roles, register):  # noqa: F811 (the fixture imported above)
    member = MemberFactory(
        symbol="1001",
        number="1",
        branch="00",
        name="山田 華子",
        name_kana="ヤマダ ハナコ",
        birth_date=RequestFactory.birth_date,
    )
    RecordFactory(member=member, category=register["health-checks"], title="特定健診2025")
    request = RequestFactory(state=Request.State.IDENTITY_CHECK, name="山田花子")
    letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    return request


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_art33_1_the_officer_sees_the_mismatch_and_confirms_the_document(
    width, height, filed, bare_officer, live_server, browser_context, sign_in
):
    client = sign_in(bare_officer)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/admin/disclosure/request/{filed.pk}/change/")
    page.get_by_role("button", name="本人確認：加入者と照合して審査に進む", exact=True).click()

    differs = page.locator(".identity-comparison tr.differs")
    expect(differs).to_have_count(1)
    row = differs.inner_text()
    assert "山田花子" in row and "山田 華子" in row and "一致しません" in row
    expect(page.locator(".identity-comparison .name-mismatch")).to_be_visible()
    page.screenshot(path=SHOTS / f"identity-{width}-1-mismatch.png", full_page=True)
    fits(page)

    # Without the box ticked the match is refused, with the reason beside the box.
    page.get_by_role("button", name="実行する").click()
    expect(page.locator(".errorlist")).to_contain_text("本人確認書類で本人であることを確かめ")
    filed.refresh_from_db()
    assert filed.state == Request.State.IDENTITY_CHECK
    page.screenshot(path=SHOTS / f"identity-{width}-2-refused.png", full_page=True)

    page.get_by_label("本人確認書類で本人であることを確かめました").check()
    page.get_by_role("button", name="実行する").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    filed.refresh_from_db()
    assert filed.state == Request.State.REVIEW
    assert filed.name_differences == ["name"]
    page.screenshot(path=SHOTS / f"identity-{width}-3-matched.png", full_page=True)
    fits(page)
