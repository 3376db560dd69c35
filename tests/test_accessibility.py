"""Accessibility measured: axe-core (axe-playwright-python) in Chromium over every public
page, the main staff pages and the auditor's reports, with no serious or critical violation.

A failure lists each violation: its rule, its impact, what it asks and the elements found.
"""

import pytest
from django.urls import reverse

from disclosure.models import Kind
from safeguards.testing import sign_in_verified

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("audit_transactional_db")]

BLOCKING = {"serious", "critical"}


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def filed(kenshin_and_receipt):
    from complaints.tests.factories import ComplaintFactory
    from disclosure.tests.factories import TOKEN, RequestFactory

    request = RequestFactory(member=kenshin_and_receipt["checked"])
    complaint = ComplaintFactory()
    return {
        "request": request,
        "request_status": f"{reverse('disclosure:status', args=[request.receipt_number])}"
        f"?t={TOKEN}",
        "complaint_status": f"{reverse('complaints:status', args=[complaint.receipt_number])}"
        f"?t={TOKEN}",
    }


def violations(axe, page) -> list[str]:
    found = axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in found
        if v["impact"] in BLOCKING
    ]


def check(axe, page, url: str) -> list[str]:
    page.goto(url)
    return [f"{url}: {v}" for v in violations(axe, page)]


def signed_in_page(chromium, live_server, client, user):
    sign_in_verified(client, user)
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context.new_page()


def test_the_public_pages_have_no_serious_violation(chromium, live_server, axe, filed):
    page = chromium.new_context(locale="ja-JP").new_page()
    found = []
    for url in (
        reverse("purposes:notice"),
        reverse("purposes:history"),
        reverse("disclosure:procedure"),
        reverse("disclosure:new"),
        reverse("disclosure:lookup"),
        filed["request_status"],
        reverse("complaints:new"),
        reverse("complaints:lookup"),
        filed["complaint_status"],
        reverse("safeguards:sign_in"),
    ):
        found += check(axe, page, live_server.url + url)
    # The request form's first step with its errors, the page after it (an agent asking for
    # every kind: every field), and that page with its errors.
    new = reverse("disclosure:new")
    page.goto(live_server.url + new)
    page.locator("form button[type=submit]").click()
    found += [f"{new} (first step, errors): {v}" for v in violations(axe, page)]
    every = "&".join(f"kinds={kind}" for kind in Kind.values)
    found += check(axe, page, f"{live_server.url}{new}?filer=legal_agent&narrow=on&{every}")
    page.locator("form button[type=submit]").first.click()
    found += [f"{new} (errors): {v}" for v in violations(axe, page)]

    assert not found, "\n".join(found)


def test_the_staff_pages_have_no_serious_violation(
    chromium, live_server, axe, client, bare_officer, filed
):
    page = signed_in_page(chromium, live_server, client, bare_officer)
    found = []
    for url in (
        reverse("admin:index"),
        reverse("admin:disclosure_request_changelist"),
        reverse("admin:disclosure_request_change", args=[filed["request"].pk]),
        reverse("admin:records_record_changelist"),
        reverse("admin:purposes_processor_add"),
        reverse("admin:purposes_jointuse_changelist"),
        reverse("admin:purposes_societyprofile_add"),
    ):
        found += check(axe, page, live_server.url + url)

    assert not found, "\n".join(found)


def test_the_notice_with_its_registers_filled_has_no_serious_violation(
    chromium, live_server, axe, register
):
    # APPI Art. 25, 27(5)(iii), 32(1): the sections the live registers add to /privacy/.
    import datetime

    from purposes.outsourcing import JointUse, Processor, SocietyProfile

    SocietyProfile.objects.create(
        address="東京都港区芝大門1-1-3", representative_name="山田一郎", fee_payment="窓口で現金"
    )
    processor = Processor.objects.create(
        name="クラウド株式会社",
        kind=Processor.Kind.SYSTEM,
        work="基幹システムの運用",
        data_items="氏名",
        contract_from=datetime.date(2026, 4, 1),
        subcontracting=Processor.Subcontracting.FORBIDDEN,
        country="アメリカ合衆国",
        foreign_environment="制度を把握し暗号化を講じています。",
    )
    processor.categories.add(register["eligibility"])
    JointUse.objects.create(
        title="加入事業所との共同利用",
        items="健診のリスク区分",
        users="当組合と加入事業所",
        purpose="健康づくり",
        responsible_name="当組合",
        responsible_address="東京都港区芝大門1-1-3",
        responsible_representative="理事長 山田一郎",
        starts_on=datetime.date(2026, 4, 1),
        published_on=datetime.date(2026, 3, 1),
    )
    page = chromium.new_context(locale="ja-JP").new_page()

    found = check(axe, page, live_server.url + reverse("purposes:notice"))

    assert "加入事業所との共同利用" in page.content()
    assert not found, "\n".join(found)


def test_the_auditor_pages_have_no_serious_violation(chromium, live_server, axe, client, auditor):
    page = signed_in_page(chromium, live_server, client, auditor)
    found = []
    for name in ("overview", "access", "events", "trail", "scopes", "my_number", "processors"):
        found += check(axe, page, live_server.url + reverse(f"reports:{name}"))

    assert not found, "\n".join(found)
