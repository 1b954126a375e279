"""XLSX: the first worksheet, header in row 1, read in openpyxl's streaming (read-only) mode.

The archive is checked before it is opened (``xlsx_guard``: declared sizes, compression ratio), and
rows are yielded one at a time while the workbook stays open; rows and columns are capped.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, BinaryIO

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers import xlsx_guard
from lms_bridge.importers.table import Record, Table


def cell_text(value: Any) -> str:
    """A cell as the text a person sees: dates ISO, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _broken(source: str, e: Exception) -> ValidationError:
    return ValidationError(
        [Problem(f"книга Excel повреждена или не читается ({type(e).__name__})")], source=source
    )


def _open(stream: BinaryIO, source: str) -> Workbook:
    xlsx_guard.check_archive(stream, source)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not matter here
            warnings.simplefilter("ignore")
            return load_workbook(stream, read_only=True, data_only=True)
    except Exception as e:  # a broken workbook fails in many library-specific ways
        raise _broken(source, e) from None


def _rows(wb: Workbook, source: str) -> Iterator[tuple[str, ...]]:
    """Rows of the first sheet as text; ValidationError past MAX_ROWS rows or MAX_COLUMNS columns."""
    ws = wb.worksheets[0] if wb.worksheets else None
    if ws is None:
        raise ValidationError([Problem("в книге нет ни одного листа")], source=source)
    if isinstance(ws, ReadOnlyWorksheet):
        # streaming mode trusts the sheet's <dimension>, which some exporters write wrong
        # (openpyxl then silently drops rows and columns): read what is really there
        ws.reset_dimensions()
    max_rows, max_columns = xlsx_guard.MAX_ROWS, xlsx_guard.MAX_COLUMNS
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):  # ≤ 16,384 cells a row
        if number > max_rows:
            raise ValidationError(
                [Problem(f"на листе больше {max_rows:,} строк: файл отклонён".replace(",", "\u00a0"))],
                source=source,
            )
        if any(v is not None and v != "" for v in row[max_columns:]):
            raise ValidationError(
                [Problem(f"на листе больше {max_columns} столбцов: файл отклонён", row=number)],
                source=source,
            )
        yield tuple(cell_text(v) for v in row[:max_columns])


def _guarded(wb: Workbook, rows: Iterator[tuple[str, ...]], source: str) -> Iterator[Record]:
    try:
        for number, row in enumerate(rows, start=2):
            if any(c.strip() for c in row):
                yield Record(number, row)
    except ValidationError:
        raise
    except Exception as e:
        raise _broken(source, e) from None
    finally:
        wb.close()


def stream_xlsx(stream: BinaryIO, source: str) -> Table:
    wb = _open(stream, source)
    try:
        rows = _rows(wb, source)
        header = next(rows, ())
    except ValidationError:
        wb.close()
        raise
    except Exception as e:
        wb.close()
        raise _broken(source, e) from None
    if not any(c.strip() for c in header):
        wb.close()
        raise ValidationError([Problem("нет строки заголовка: первая строка пуста", row=1)], source=source)
    while header and not header[-1].strip():  # trailing formatted-but-empty columns
        header = header[:-1]
    return Table(source=source, headers=header, records=_guarded(wb, rows, source))
