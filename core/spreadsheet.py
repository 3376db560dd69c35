"""CSV that is safe to open in a spreadsheet: a cell that Excel would run as a formula is
written as text (OWASP "CSV injection"). Every CSV export of Kumiai writes through it.

Imported data can hold such text (a core system's field, a member's own words), and staff
open exports on their desktops: the export, not the import, is where it must be defused.
"""

import csv
from collections.abc import Iterable
from typing import Any

# A leading character that makes a spreadsheet read the cell as a formula or a command.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The value, with a text value that would start a formula quoted by a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# Excel on a Japanese PC reads a CSV file as Shift_JIS unless it starts with this mark.
BOM = "\ufeff"


class Writer:
    """`csv.writer` whose every cell passes through `cell`."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def excel_writer(stream, **options) -> Writer:
    """A `Writer` for a file staff open in Excel: the UTF-8 byte-order mark written first."""
    stream.write(BOM)
    return Writer(stream, **options)
