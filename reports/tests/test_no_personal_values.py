"""The 監事 sees counts, ids and staff names: never a member's personal value, on any page,
drill-down or export, even when that member's records were read; and changes nothing."""

import datetime

import pytest
from django.utils import timezone

from disclosure.tests.factories import RequestFactory
from records import gate
from records.tests.factories import EXAMPLE_PAYLOADS, RecordFactory
from retention.disposal import open_run
from safeguards.models import StatutoryGround
from tests.pdf import pdf_text

from .conftest import jst, next_working_day, period_query

pytestmark = pytest.mark.django_db

PAGES = (
    "/reports/",
    "/reports/access/",
    "/reports/trail/",
    "/reports/scopes/",
    "/reports/my-number/",
    "/reports/processors/",
    "/reports/disposals/",
)


@pytest.fixture
def secrets(read, handler_kenshin, kenshin_and_receipt, register):
    member = kenshin_and_receipt["checked"]
    payload = EXAMPLE_PAYLOADS["health-checks"]
    RecordFactory(member=member, category=register["health-checks"], payload=payload)
    request = RequestFactory(name="開示請子", address="東京都港区芝公園4-2-8")
    # A disposal run (its certificate is a drill-down): a receipt past its period, held by a
    # request of the member's that is still open.
    RecordFactory(member=member, category=register["receipts"], date=datetime.date(2019, 6, 1))
    RequestFactory(member=member, name=member.name, state="review")
    open_run(today=timezone.localdate())
    day = next_working_day(timezone.localdate())
    read(handler_kenshin, jst(day, 10), purpose="checkup-reminder")
    read(
        handler_kenshin,
        jst(day, 23),
        statutory=gate.Statutory(ground=StatutoryGround.LAW, reason="警察からの照会（令状あり）"),
    )
    return {
        "query": period_query(timezone.localdate(), day),
        "values": [
            member.name,
            member.name_kana,
            member.birth_date.isoformat(),
            f"{member.birth_date:%Y年%-m月%-d日}",
            kenshin_and_receipt["kenshin"].title,
            payload["facility"],
            request.name,
            request.address,
            request.email,
        ],
    }


def _everything(client, query) -> list[tuple[str, str]]:
    """Every page, its CSV and PDF, and every drill-down the pages link to, as text."""
    seen = []
    for url in PAGES:
        page = client.get(f"{url}?{query}")
        assert page.status_code == 200
        seen.append((url, page.content.decode()))
        seen.append((f"{url} csv", client.get(f"{url}?{query}&format=csv").content.decode()))
        pdf = client.get(f"{url}?{query}&format=pdf").content
        seen.append((f"{url} pdf", pdf_text(pdf)))
        for section in page.context["sections"]:
            for _row, link in section["rows"]:
                if link:
                    seen.append((link, client.get(link).content.decode()))
    return seen


def test_no_page_export_or_drill_down_shows_a_members_values(as_auditor, secrets):
    seen = _everything(as_auditor, secrets["query"])

    assert len(seen) > 12  # the pages, their exports, and the drill-downs of the reads
    for where, text in seen:
        for value in secrets["values"]:
            assert value not in text, f"{value!r} appears in {where}"


@pytest.mark.parametrize("url", [*PAGES, "/reports/events/"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_pages_take_no_writes(as_auditor, url, method):
    assert getattr(as_auditor, method)(url).status_code == 405


def test_the_verify_button_takes_post_only(as_auditor):
    assert as_auditor.get("/reports/trail/verify/").status_code == 405
