"""CSV exports never hand a spreadsheet a formula to run."""

import csv
import io

import pytest

from core.spreadsheet import Writer, cell, excel_writer


@pytest.mark.parametrize(
    "text",
    ["=cmd|' /C calc'!A0", "+SUM(1;2)", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_it_quotes_a_cell_that_would_run_as_a_formula(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", ["山田花子", "2026-04-01", "a=b", 42, -3, None, ""])
def test_it_leaves_ordinary_values_alone(value):
    assert cell(value) == value


def test_the_writer_quotes_every_cell_of_every_row():
    out = io.StringIO()
    writer = Writer(out)

    writer.writerow(["=1+1", "ok"])
    writer.writerows([["@x", 5]])

    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=1+1", "ok"], ["'@x", "5"]]


def test_a_file_for_excel_starts_with_the_utf8_byte_order_mark_and_reads_back():
    out = io.BytesIO()
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    excel_writer(text).writerow(["氏名", "=危険"])
    text.flush()
    assert out.getvalue().startswith(b"\xef\xbb\xbf")
    assert out.getvalue().decode("utf-8-sig") == "氏名,'=危険\r\n"
