"""Each report exports as CSV (UTF-8 with a BOM) and as a Japanese PDF, with the figures of
the page."""

import csv
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from .conftest import jst, next_working_day, period_query

pytestmark = pytest.mark.django_db

REPORTS = (
    "/reports/",
    "/reports/access/",
    "/reports/trail/",
    "/reports/scopes/",
    "/reports/my-number/",
    "/reports/processors/",
    "/reports/disposals/",
)


@pytest.fixture(autouse=True)
def _views_unaudited(monkeypatch):
    # Each view appends its event, which the trail report counts: without them, the page
    # and its export see the same trail (test_page_view_audit covers the events).
    monkeypatch.setattr("reports.views.base.audit_view", lambda *args, **kwargs: None)


@pytest.fixture
def query(read, handler_kenshin, kenshin_and_receipt):
    today = timezone.localdate()
    working = next_working_day(today)
    read(handler_kenshin, jst(working, 22), purpose="checkup-reminder")
    return period_query(today, working)


def page_tables(response) -> list[tuple[str, list[str], list[list[str]]]]:
    from reports.exports import cell_text

    return [
        (
            section["table"].title,
            list(section["table"].columns),
            [[cell_text(cell) for cell in row] for row in section["table"].rows],
        )
        for section in response.context["sections"]
    ]


@pytest.mark.parametrize("url", REPORTS)
def test_the_csv_holds_the_tables_of_the_page(as_auditor, query, url):
    page = as_auditor.get(f"{url}?{query}")

    export = as_auditor.get(f"{url}?{query}&format=csv")

    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert export["Content-Disposition"].startswith("attachment; filename=")
    assert export.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel looks for
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert lines[0] == [page.context["report"].title]
    blocks, rest = [], lines[2:]
    while rest:
        # a blank line, the title, the columns, then the rows up to the next blank line
        end = rest.index([], 1) if [] in rest[1:] else len(rest)
        blocks.append((rest[1][0], rest[2], rest[3:end]))
        rest = rest[end:]
    assert blocks == page_tables(page)


@pytest.mark.parametrize("url", REPORTS)
def test_the_pdf_holds_the_tables_of_the_page_in_japanese(as_auditor, query, url):
    page = as_auditor.get(f"{url}?{query}")

    export = as_auditor.get(f"{url}?{query}&format=pdf")

    assert export["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(export.content))
    text = "".join(p.extract_text() for p in reader.pages)
    squeezed = "".join(text.split())
    assert reader.metadata.title == page.context["report"].title
    assert "対象期間" in squeezed
    for title, columns, rows in page_tables(page):
        assert "".join(title.split()) in squeezed
        for cell in [*columns, *(c for row in rows for c in row)]:
            assert "".join(cell.split()) in squeezed


def test_the_event_list_exports_too(as_auditor, query):
    from audit.models import Event
    from audit.vocabulary import Action

    event = Event.objects.get(action=Action.RECORDS_ACCESS_READ)
    url = f"/reports/events/?{query}&action=access.read"

    export = as_auditor.get(f"{url}&format=csv")

    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [str(event.seq), timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")] == rows[5][:2]
