"""What the browser walks check of a page after a click, said once.

Playwright's click returns once the page it leads to has begun to arrive, not once it has
loaded. A check made at that moment reads a page still coming: a count of error messages finds
none because they are not there yet, and the page may have no document element at all (CI's
run on PostgreSQL at 69774ab: "Cannot read properties of null (reading 'scrollHeight')"
just after a click). So every check here first waits for the page to load.
"""

from playwright.sync_api import Page, expect


def settled(page: Page) -> Page:
    """The page, once the page the last click led to has loaded in full."""
    page.wait_for_load_state()
    return page


def page_width(page: Page) -> int:
    """How wide the loaded page is, in px: wider than the screen means it scrolls sideways."""
    return settled(page).evaluate("document.documentElement.scrollWidth")


def fits(page: Page) -> None:
    """The page never scrolls sideways on its screen (a wide table scrolls in its own box)."""
    width = page.viewport_size["width"]
    scroll = page_width(page)
    assert scroll <= width, f"{page.url} is {scroll} px wide on a {width} px screen"


def moved(page: Page) -> None:
    """The admin's workflow move the last click confirmed was made: the page it led to says
    「…」を行いました and says no error (the standing banners aside: an open incident's is red
    on every page)."""
    messages = settled(page).locator(".messagelist:not(.standing)")
    assert messages.locator(".error").count() == 0, messages.all_inner_texts()
    expect(messages.locator(".success")).to_contain_text("を行いました")
