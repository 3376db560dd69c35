"""An imported value that would run as a spreadsheet formula leaves every export as text."""

import csv
import io

from django.urls import reverse

from records.tests.factories import RecordFactory

FORMULA = '=HYPERLINK("http://example.invalid","開く")'


def test_the_records_export_quotes_a_formula_title(sign_in, handler_kenshin, register):
    record = RecordFactory(category=register["health-checks"], title=FORMULA)
    client = sign_in(handler_kenshin)
    client.post(reverse("admin:records_purpose"), {"purpose": "checkup-reminder"})

    response = client.post(
        reverse("admin:records_record_changelist"),
        {"action": "export_csv", "_selected_action": [record.pk]},
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][4] == "'" + FORMULA
