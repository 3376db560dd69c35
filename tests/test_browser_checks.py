"""The browser walks' checks after a click (`tests.browser`) read the page the click led to in
full, even when it arrives slowly. Playwright's click returns once that page has begun to
arrive: CI's PostgreSQL run at 69774ab failed the member's request walk so, reading the page's
height at a moment it had no document element yet."""

import pytest

from purposes.loader import load_register
from tests.browser import page_width

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]


def test_a_check_after_a_click_waits_for_the_page_that_arrives_slowly(chromium, live_server):
    load_register()
    page = chromium.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP").new_page()
    page.goto(live_server.url + "/privacy/")
    html = page.evaluate("document.documentElement.outerHTML.length")
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page_width(page)
    # From here each page takes about two seconds to arrive: a slow line, a busy machine.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": html / 2, "uploadThroughput": -1},
    )
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<a id=again href=/privacy/>again</a>')"
    )

    page.locator("#again").click()
    assert page_width(page) == width
    # The whole page, not the top of it that had arrived when the click returned.
    assert page.evaluate("document.documentElement.scrollHeight") == height
